package io.responder.testkit;

import io.responder.core.Responder;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that checks, after every test, what must hold after any story: each watched
 * Responder's memory agrees with its store ({@link Responder#checkConsistency()}) and each watched
 * {@link FakeChain} has no scripted broadcast answer left unused ({@link FakeChain#unusedScripts()}).
 * A failure names every broken invariant and is added to the test's own failure if it has one.
 *
 * <p>Register it on a field and tell it what to watch, or let it find the test instance's
 * {@code Responder} and {@code FakeChain} fields itself:
 *
 * <pre>{@code
 * @RegisterExtension final ResponderInvariants invariants = new ResponderInvariants();
 *
 * @Test void story() {
 *   Responder r = ...;
 *   invariants.watch(r).watch(chain);
 *   ...
 * }
 *
 * // or, with no registration code:
 * @ExtendWith(ResponderInvariants.class)
 * class MyTest { final FakeChain chain = FakeChain.create(); Responder responder; ... }
 * }</pre>
 *
 * <p>A Responder replaced during a test (a simulated restart) can be watched through a
 * {@link Supplier} read after the test. Watches are forgotten after each test. Instances are
 * thread-safe for registration; the checks run on JUnit's thread after the test.
 * @since 0.1.0
 */
public final class ResponderInvariants implements AfterEachCallback {
  private final Map<String, Runnable> checks = new LinkedHashMap<>();
  private final Set<Object> watched = Collections.newSetFromMap(new IdentityHashMap<>());

  /** Creates an extension with nothing watched yet. */
  public ResponderInvariants() {}

  /**
   * Checks a Responder after the test.
   *
   * @param responder the Responder
   * @return this extension
   */
  public synchronized ResponderInvariants watch(Responder responder) {
    Objects.requireNonNull(responder, "responder");
    if (watched.add(responder)) {
      checks.put("responder #" + checks.size() + " consistency", responder::checkConsistency);
    }
    return this;
  }

  /**
   * Checks whichever Responder {@code current} returns after the test, for tests that replace it.
   *
   * @param current gives the Responder to check (may give null when none is running)
   * @return this extension
   */
  public synchronized ResponderInvariants watch(Supplier<? extends @Nullable Responder> current) {
    Objects.requireNonNull(current, "current");
    checks.put("current responder #" + checks.size() + " consistency", () -> {
      Responder r = current.get();
      if (r != null) {
        r.checkConsistency();
      }
    });
    return this;
  }

  /**
   * Checks that a chain has no scripted broadcast answer left unused after the test.
   *
   * @param chain the chain
   * @return this extension
   */
  public synchronized ResponderInvariants watch(FakeChain chain) {
    Objects.requireNonNull(chain, "chain");
    if (watched.add(chain)) {
      checks.put("chain #" + checks.size() + " scripts used up", () -> {
        Map<?, Integer> unused = chain.unusedScripts();
        if (!unused.isEmpty()) {
          throw new AssertionError("scripted broadcast answers left unused: " + unused);
        }
      });
    }
    return this;
  }

  /**
   * Adds an invariant of the test's own.
   *
   * @param name how a failure is named
   * @param check throws when the invariant is broken
   * @return this extension
   */
  public synchronized ResponderInvariants check(String name, Runnable check) {
    checks.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(check, "check"));
    return this;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    context.getTestInstance().ifPresent(this::discover);
    Map<String, Runnable> toRun;
    synchronized (this) {
      toRun = new LinkedHashMap<>(checks);
      checks.clear();
      watched.clear();
    }
    List<String> broken = new ArrayList<>();
    AssertionError first = null;
    for (Map.Entry<String, Runnable> c : toRun.entrySet()) {
      try {
        c.getValue().run();
      } catch (RuntimeException | AssertionError e) {
        broken.add(c.getKey() + ": " + e.getMessage());
        if (first == null) {
          first = new AssertionError("invariant broken after the test", e);
        }
      }
    }
    if (first != null) {
      throw new AssertionError("invariants broken after the test:\n  " + String.join("\n  ", broken), first.getCause());
    }
  }

  /** Watches the Responder and FakeChain fields of the test instance (and of its superclasses). */
  private void discover(Object testInstance) {
    for (Class<?> c = testInstance.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers())
            || !(Responder.class.isAssignableFrom(f.getType()) || FakeChain.class.isAssignableFrom(f.getType()))) {
          continue;
        }
        Object value;
        try {
          f.setAccessible(true);
          value = f.get(testInstance);
        } catch (ReflectiveOperationException | RuntimeException e) {
          continue; // not readable (a module boundary): only explicit watches apply
        }
        if (value instanceof Responder r) {
          watch(r);
        } else if (value instanceof FakeChain chain) {
          watch(chain);
        }
      }
    }
  }
}
