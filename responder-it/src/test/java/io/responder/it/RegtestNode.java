package io.responder.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.responder.bitcoind.BitcoindConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A throwaway regtest bitcoind for one test class: register it with
 * {@code @RegisterExtension static final RegtestNode node = new RegtestNode();}.
 *
 * <p>The binary is the one named by {@value #BINARY_VARIABLE}. Without it every test of the class
 * is skipped (a failed assumption, reported as skipped), except under {@code CI=true}, where a
 * missing variable fails the run: CI must not go green without the real-node suite. A variable
 * that names no executable, or a node that does not start, always fails. The node gets its own data
 * directory under the module's {@code target/}, a free port on 127.0.0.1, no P2P
 * ({@code -listen=0}), cookie authentication, and a wallet {@value #WALLET} with one spendable
 * coinbase (50 coins: enough for dozens of channels). It is stopped with the {@code stop} RPC after
 * the class, also when a test failed; a test that failed while the node was stopped gets it started
 * again before the next test.
 *
 * <p>Not thread-safe: a test class drives its node from one thread.
 */
final class RegtestNode implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
  static final String BINARY_VARIABLE = "RESPONDER_BITCOIND";
  static final String WALLET = "it";
  /** How long a starting node may take to answer RPC (a loaded 2-core machine, a cold disk). */
  private static final Duration START_DEADLINE = Duration.ofSeconds(90);
  /** How long a stopping node may take to exit after {@code stop}. */
  private static final Duration STOP_DEADLINE = Duration.ofSeconds(60);
  /** How often a starting node is asked whether RPC works yet. */
  private static final long START_POLL_MILLIS = 50;
  /** Blocks after a coinbase before it can be spent. */
  private static final int COINBASE_MATURITY = 100;

  private boolean skipped;
  private Path binary;
  private Path dataDir;
  private int port;
  private Process process;
  /** Options for this run of the node beyond the fixed ones (a mempool policy), none by default. */
  private List<String> extraOptions = List.of();
  private NodeRpc rpc;
  private String miningAddress;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Optional<Path> configured = binaryFrom(System.getenv());
    if (configured.isEmpty()) {
      skipped = true; // each test is then reported as skipped (a class-level skip counts no tests)
      return;
    }
    binary = configured.get();
    dataDir = Path.of("target", "regtest", context.getRequiredTestClass().getSimpleName()).toAbsolutePath();
    deleteRecursively(dataDir);
    Files.createDirectories(dataDir);
    port = freePort();
    rpc = new NodeRpc(URI.create("http://127.0.0.1:" + port + "/"), cookieFile());
    start();
    rpc.call("createwallet", WALLET);
    // One coinbase for the wallet, matured by blocks that pay a key it does not own.
    rpc.call("generatetoaddress", 1, rpc.string("getnewaddress"));
    miningAddress = Chain.addressOf(rpc, Chain.MINER_KEY);
    rpc.call("generatetoaddress", COINBASE_MATURITY, miningAddress);
  }

  /**
   * The bitcoind to start, from the environment: empty when {@value #BINARY_VARIABLE} is unset (the
   * suite is skipped), except under {@code CI=true}, where that is an error, as is a path that names
   * no executable file.
   */
  static Optional<Path> binaryFrom(Map<String, String> env) {
    String path = env.get(BINARY_VARIABLE);
    if (path == null || path.isBlank()) {
      if ("true".equalsIgnoreCase(env.get("CI"))) {
        throw new IllegalStateException("CI=true but " + BINARY_VARIABLE
            + " is not set: the real-node suite must run in CI (.ci/run sets it)");
      }
      return Optional.empty();
    }
    Path binary = Path.of(path).toAbsolutePath();
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(BINARY_VARIABLE + " names no executable file: " + binary);
    }
    return Optional.of(binary);
  }

  /**
   * Skips the test when there is no node; and a test that failed while the node was stopped must not
   * take the class's other tests with it.
   */
  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    assumeTrue(!skipped, BINARY_VARIABLE + " is not set: the real-bitcoind suite is skipped");
    if (rpc != null && process == null) {
      startAgain(false);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (process != null) {
      stop();
    }
  }

  /** The library's configuration for this node: cookie authentication, as a host would set it. */
  BitcoindConfig config() {
    return BitcoindConfig.builder()
        .host("127.0.0.1")
        .port(port)
        .cookieFile(cookieFile())
        .connectTimeout(Duration.ofSeconds(2))
        .requestTimeout(Duration.ofSeconds(30))
        .build();
  }

  NodeRpc rpc() {
    return rpc;
  }

  /** Where mined coins go: not the wallet's (see {@link Chain#MINER_KEY}). */
  String miningAddress() {
    return miningAddress;
  }

  Path dataDir() {
    return dataDir;
  }

  boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Stops the node with the {@code stop} RPC and waits for it to exit. */
  void stop() {
    try {
      rpc.call("stop");
    } catch (RuntimeException e) {
      // Already going down, or never answered: the wait below decides.
    }
    try {
      if (!process.waitFor(STOP_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly(); // our own child only, and only when stop did not work
        throw new IllegalStateException("bitcoind did not stop within " + STOP_DEADLINE + ": killed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while bitcoind stopped", e);
    } finally {
      process = null;
    }
  }

  /**
   * Starts the stopped node again on the same data directory and port (a new cookie), and reloads
   * the wallet, which bitcoind does not do on its own.
   *
   * @param emptyMempool whether to delete {@code mempool.dat} first, so the node comes back with an
   *     empty mempool
   */
  void startAgain(boolean emptyMempool) throws IOException {
    startAgain(emptyMempool, List.of());
  }

  /**
   * Starts the stopped node again with these options added for this run only (a mempool policy such
   * as {@code -minrelaytxfee=0.0002}); see {@link #startAgain(boolean)}.
   */
  void startAgain(boolean emptyMempool, List<String> options) throws IOException {
    if (process != null) {
      throw new IllegalStateException("the node is running");
    }
    extraOptions = List.copyOf(options);
    if (emptyMempool) {
      Files.deleteIfExists(dataDir.resolve("regtest").resolve("mempool.dat"));
    }
    start();
    rpc.call("loadwallet", WALLET);
  }

  /** Stops the node and starts it again with the default options; see {@link #startAgain}. */
  void restart(boolean emptyMempool) throws IOException {
    stop();
    startAgain(emptyMempool);
  }

  /** Stops the node and starts it again with these options added; see {@link #startAgain(boolean, List)}. */
  void restart(boolean emptyMempool, List<String> options) throws IOException {
    stop();
    startAgain(emptyMempool, options);
  }

  private Path cookieFile() {
    return dataDir.resolve("regtest").resolve(".cookie");
  }

  private void start() throws IOException {
    List<String> command = new ArrayList<>(List.of(binary.toString(),
        "-regtest", "-server=1", "-listen=0", "-dnsseed=0",
        "-rpcbind=127.0.0.1", "-rpcallowip=127.0.0.1", "-rpcport=" + port,
        "-datadir=" + dataDir, "-fallbackfee=0.0002", "-printtoconsole=0"));
    command.addAll(extraOptions);
    // A cookie left by the last run must not pass for the new node's.
    Files.deleteIfExists(cookieFile());
    Path console = dataDir.resolve("console.log");
    process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile()))
        .start();
    awaitRpc();
  }

  /** Polls until RPC answers, the process exits, or the deadline passes. */
  private void awaitRpc() {
    long deadline = System.nanoTime() + START_DEADLINE.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        // Also the pause between attempts: returns at once if the node exits.
        if (process.waitFor(START_POLL_MILLIS, TimeUnit.MILLISECONDS)) {
          throw new IllegalStateException("bitcoind exited with " + process.exitValue() + " while starting; "
              + logTail());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while bitcoind started", e);
      }
      if (!Files.exists(cookieFile())) {
        continue;
      }
      try {
        rpc.call("getblockchaininfo");
        return;
      } catch (RuntimeException e) {
        last = e; // connection refused, or -28 while warming up
      }
    }
    process.destroyForcibly();
    process = null;
    throw new IllegalStateException("bitcoind did not answer RPC within " + START_DEADLINE + ": " + last + "; "
        + logTail());
  }

  private String logTail() {
    Path log = dataDir.resolve("regtest").resolve("debug.log");
    try {
      if (!Files.exists(log)) {
        log = dataDir.resolve("console.log");
      }
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return "last lines of " + log.getFileName() + ":\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 15),
          lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "no log (" + e + ")";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
