package io.responder.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.bitcoind.BitcoindCarrier;
import io.responder.core.Responder;
import io.responder.micrometer.ResponderMeters;
import io.responder.store.inmemory.InMemoryTrackerStore;
import io.responder.store.jdbc.JdbcTrackerStore;
import io.responder.testkit.FakeChain;
import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Exports;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The published modules as a host on the module path sees them: each descriptor exports its API
 * packages and nothing else ({@code io.responder.core.internal} only to the test kit); a consumer
 * module using the public API of all six compiles and runs in its own module layer (the test kit's
 * fake chain working through its qualified access to the core's internals); and a consumer that
 * imports {@code io.responder.core.internal} does not compile, nor reaches it by reflection.
 *
 * <p>The rest of the build runs tests on the class path; this test alone puts the modules (the
 * reactor's jars or class folders, with their dependencies) on a module path.
 */
class ModuleBoundaryTest {
  private static final String INTERNAL = "io.responder.core.internal";

  /** Module name to its unqualified exports: the published API. */
  private static final Map<String, Set<String>> API = Map.of(
      "io.responder.core", Set.of("io.responder.core"),
      "io.responder.store.inmemory", Set.of("io.responder.store.inmemory"),
      "io.responder.store.jdbc", Set.of("io.responder.store.jdbc"),
      "io.responder.bitcoind", Set.of("io.responder.bitcoind"),
      "io.responder.micrometer", Set.of("io.responder.micrometer"),
      "io.responder.testkit", Set.of("io.responder.testkit", "io.responder.testkit.sim"));

  private static final String CONSUMER_DESCRIPTOR = """
      module consumer {
        requires io.responder.store.inmemory;
        requires io.responder.store.jdbc;
        requires io.responder.bitcoind;
        requires io.responder.testkit;
        requires io.responder.micrometer;
        exports consumer;
      }
      """;

  private static final String CONSUMER_MAIN = """
      package consumer;

      import io.responder.bitcoind.BitcoindCarrier;
      import io.responder.core.Block;
      import io.responder.core.BreachReceipt;
      import io.responder.core.Responder;
      import io.responder.core.TrackerState;
      import io.responder.micrometer.ResponderMeters;
      import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
      import io.responder.store.inmemory.InMemoryTrackerStore;
      import io.responder.store.jdbc.JdbcTrackerStore;
      import io.responder.testkit.Appointment;
      import io.responder.testkit.FakeChain;
      import java.lang.invoke.MethodHandles;
      import java.util.Random;

      public final class Main {
        private Main() {}

        /** A breach handed over and confirmed on the test kit's chain, and what the consumer can reach. */
        public static String run(String internalClass) throws Exception {
          FakeChain chain = FakeChain.create();
          SimpleMeterRegistry registry = new SimpleMeterRegistry();
          Responder responder = Responder.builder().carrier(chain).blockSource(chain)
              .store(new InMemoryTrackerStore()).metrics(new ResponderMeters(registry)).start();
          Appointment appointment = Appointment.random(new Random(7));
          Block seen = chain.mineTransactions(appointment.dispute());
          responder.onBlock(seen);
          BreachReceipt receipt = responder.handleBreach(appointment.breach(seen.ref()));
          responder.onBlock(chain.mine());
          TrackerState state = responder.tracker(appointment.uuid()).orElseThrow().status().state();
          String internal;
          try {
            MethodHandles.lookup().accessClass(Class.forName(internalClass));
            internal = "reachable";
          } catch (IllegalAccessException e) {
            internal = "refused";
          }
          return "tracked=" + receipt.tracked() + " state=" + state
              + " jdbc=" + JdbcTrackerStore.class.getModule().getName()
              + " bitcoind=" + BitcoindCarrier.class.getModule().getName()
              + " confirmedGauge=" + registry.get(ResponderMeters.TRACKERS).tag("state", "confirmed").gauge().value()
              + " internal=" + internal;
        }
      }
      """;

  private static final String INTRUDER_MAIN = """
      package consumer;

      import io.responder.core.internal.TransactionParser;

      public final class Main {
        private Main() {}

        public static Class<?> parser() {
          return TransactionParser.class;
        }
      }
      """;

  @Test
  void eachPublishedModuleExportsOnlyItsApiPackages() {
    Map<String, Set<String>> exported = new TreeMap<>();
    Map<String, Set<String>> qualified = new TreeMap<>();
    for (Path location : publishedModules()) {
      ModuleDescriptor descriptor = descriptorAt(location);
      assertFalse(descriptor.isAutomatic(), location + " has no module-info");
      for (Exports e : descriptor.exports()) {
        if (e.isQualified()) {
          qualified.computeIfAbsent(descriptor.name() + "/" + e.source(), k -> new TreeSet<>()).addAll(e.targets());
        } else {
          exported.computeIfAbsent(descriptor.name(), k -> new TreeSet<>()).add(e.source());
        }
      }
    }
    assertEquals(new TreeMap<>(API), exported);
    assertEquals(Map.of("io.responder.core/" + INTERNAL, Set.of("io.responder.testkit")), qualified);
  }

  @Test
  void aConsumerModuleUsesThePublicApiOnTheModulePathAndCannotReachTheInternals(@TempDir Path dir)
      throws Exception {
    Path classes = dir.resolve("consumer");
    List<String> errors = compile(dir.resolve("src"), classes, CONSUMER_MAIN);
    assertEquals(List.of(), errors);

    List<Path> modulePath = new ArrayList<>(modulePath());
    modulePath.add(0, classes);
    ModuleFinder finder = ModuleFinder.of(modulePath.toArray(Path[]::new));
    ModuleLayer boot = ModuleLayer.boot();
    Configuration config = boot.configuration().resolveAndBind(finder, ModuleFinder.of(), Set.of("consumer"));
    ModuleLayer layer = boot.defineModulesWithOneLoader(config, ClassLoader.getPlatformClassLoader());

    Module consumer = layer.findModule("consumer").orElseThrow();
    Module core = layer.findModule("io.responder.core").orElseThrow();
    Module testkit = layer.findModule("io.responder.testkit").orElseThrow();
    assertFalse(core.isExported(INTERNAL, consumer));
    assertFalse(core.isExported(INTERNAL));
    assertTrue(core.isExported(INTERNAL, testkit));

    Class<?> main = layer.findLoader("consumer").loadClass("consumer.Main");
    String outcome = (String) main.getMethod("run", String.class)
        .invoke(null, INTERNAL + ".TransactionParser");
    assertEquals("tracked=true state=CONFIRMED jdbc=io.responder.store.jdbc bitcoind=io.responder.bitcoind"
        + " confirmedGauge=1.0 internal=refused", outcome);
  }

  @Test
  void aConsumerModuleThatImportsTheInternalsDoesNotCompile(@TempDir Path dir) throws Exception {
    List<String> errors = compile(dir.resolve("src"), dir.resolve("out"), INTRUDER_MAIN);

    assertFalse(errors.isEmpty(), "the internal package was visible to a consumer module");
    assertTrue(errors.stream().allMatch(e -> e.contains(INTERNAL) && e.contains("not visible")), errors.toString());
  }

  /** Compiles the consumer module with {@code main} as its one class; returns the error messages. */
  private static List<String> compile(Path src, Path out, String main) throws Exception {
    Path mainFile = src.resolve("consumer/Main.java");
    Files.createDirectories(mainFile.getParent());
    Files.createDirectories(out);
    Files.writeString(src.resolve("module-info.java"), CONSUMER_DESCRIPTOR);
    Files.writeString(mainFile, main);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
      String path = modulePath().stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
      List<String> options = List.of("--release", "17", "--module-path", path, "-d", out.toString());
      javac.getTask(null, files, diagnostics, options, null,
          files.getJavaFileObjects(src.resolve("module-info.java"), mainFile)).call();
    }
    return diagnostics.getDiagnostics().stream()
        .filter(d -> d.getKind() == javax.tools.Diagnostic.Kind.ERROR)
        .map(d -> d.getMessage(null))
        .toList();
  }

  private static List<Path> publishedModules() {
    return List.of(locationOf(Responder.class), locationOf(InMemoryTrackerStore.class),
        locationOf(JdbcTrackerStore.class), locationOf(BitcoindCarrier.class), locationOf(FakeChain.class),
        locationOf(ResponderMeters.class));
  }

  /** The published modules and the libraries they need, as a host's build would put them. */
  private static List<Path> modulePath() {
    List<Path> path = new ArrayList<>(publishedModules());
    for (String library : List.of(
        "org.slf4j.Logger",                          // slf4j-api
        "org.slf4j.simple.SimpleServiceProvider",    // slf4j-simple, so the layer logs as the tests do
        "com.fasterxml.jackson.core.JsonFactory",    // jackson-core
        "org.jspecify.annotations.NullMarked",       // jspecify
        "io.micrometer.core.instrument.MeterRegistry", // micrometer-core, for responder-micrometer,
        "io.micrometer.common.KeyValue",             // and what it requires
        "io.micrometer.observation.Observation",
        "org.HdrHistogram.Histogram",
        "org.junit.jupiter.api.Test",                // the test kit's JUnit, and what it requires
        "org.junit.platform.commons.JUnitException",
        "org.opentest4j.AssertionFailedError",
        "org.apiguardian.api.API")) {
      try {
        path.add(locationOf(Class.forName(library)));
      } catch (ClassNotFoundException e) {
        throw new AssertionError("not on the test class path: " + library, e);
      }
    }
    return path;
  }

  private static ModuleDescriptor descriptorAt(Path location) {
    Set<ModuleReference> found = ModuleFinder.of(location).findAll();
    assertEquals(1, found.size(), location.toString());
    return found.iterator().next().descriptor();
  }

  private static Path locationOf(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new AssertionError(e);
    }
  }
}
