package io.responder.benchmarks;

import io.responder.bitcoind.BitcoindConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway regtest bitcoind for the real-node benchmark: the binary named by
 * {@value #BINARY_VARIABLE}, its own data directory, a free port on 127.0.0.1, no P2P
 * ({@code -listen=0}), cookie authentication, regtest's consistency checks off
 * ({@code -checkmempool=0 -checkblockindex=0}, as on mainnet), and {@code -persistmempool=0}, so that every
 * {@link #restart} brings the node back with an empty mempool (what a node that lost its mempool
 * looks like to the Responder). Stopped with the {@code stop} RPC.
 *
 * <p>Not thread-safe: the benchmark drives it from one thread.
 */
final class RegtestProcess implements AutoCloseable {
  static final String BINARY_VARIABLE = "RESPONDER_BITCOIND";
  private static final Duration START_DEADLINE = Duration.ofSeconds(90);
  private static final Duration STOP_DEADLINE = Duration.ofSeconds(90);

  private final Path binary;
  private final Path dataDir;
  private final int port;
  private final RegtestRpc rpc;
  private Process process;

  private RegtestProcess(Path binary, Path dataDir) throws IOException {
    this.binary = binary;
    this.dataDir = dataDir;
    this.port = freePort();
    this.rpc = new RegtestRpc(URI.create("http://127.0.0.1:" + port + "/"), cookieFile());
  }

  /** The binary named by the environment, or empty when the variable is unset. */
  static Optional<Path> binaryFrom(Map<String, String> env) {
    String path = env.get(BINARY_VARIABLE);
    if (path == null || path.isBlank()) {
      return Optional.empty();
    }
    Path binary = Path.of(path).toAbsolutePath();
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(BINARY_VARIABLE + " names no executable file: " + binary);
    }
    return Optional.of(binary);
  }

  /** Starts a node on a new data directory. */
  static RegtestProcess start(Path binary, Path dataDir) throws IOException {
    Files.createDirectories(dataDir);
    RegtestProcess node = new RegtestProcess(binary, dataDir);
    node.launch();
    return node;
  }

  RegtestRpc rpc() {
    return rpc;
  }

  Path cookieFile() {
    return dataDir.resolve("regtest").resolve(".cookie");
  }

  int port() {
    return port;
  }

  /** The library's configuration for this node, as a host would set it. */
  BitcoindConfig config() {
    return BitcoindConfig.builder()
        .host("127.0.0.1")
        .port(port)
        .cookieFile(cookieFile())
        .requestTimeout(Duration.ofSeconds(120))
        .build();
  }

  /** Stops the node and starts it again: its mempool is empty afterwards (no wallet is loaded). */
  void restart() throws IOException {
    stop();
    launch();
  }

  void stop() {
    if (process == null) {
      return;
    }
    try {
      rpc.call("stop");
    } catch (RuntimeException e) {
      // already going down: the wait decides
    }
    try {
      if (!process.waitFor(STOP_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly(); // our own child only, when stop did not work
        throw new IllegalStateException("bitcoind did not stop within " + STOP_DEADLINE);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while bitcoind stopped", e);
    } finally {
      process = null;
    }
  }

  @Override
  public void close() {
    stop();
  }

  private void launch() throws IOException {
    List<String> command = List.of(binary.toString(),
        "-regtest", "-server=1", "-listen=0", "-dnsseed=0",
        "-rpcbind=127.0.0.1", "-rpcallowip=127.0.0.1", "-rpcport=" + port,
        "-datadir=" + dataDir, "-fallbackfee=0.0002", "-persistmempool=0", "-printtoconsole=0",
        // Regtest turns on consistency checks a mainnet node never runs: -checkmempool walks the whole
        // mempool twice per accepted transaction (quadratic: 160 ms a transaction at 4,500 in the
        // mempool here), which would measure the check, not the node.
        "-checkmempool=0", "-checkblockindex=0");
    Files.deleteIfExists(cookieFile()); // the last run's cookie must not pass for the new node's
    process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("console.log").toFile()))
        .start();
    long deadline = System.nanoTime() + START_DEADLINE.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (process.waitFor(50, TimeUnit.MILLISECONDS)) {
          throw new IllegalStateException("bitcoind exited with " + process.exitValue() + " while starting (see "
              + dataDir.resolve("regtest").resolve("debug.log") + ")");
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
        last = e; // refused, or -28 while warming up
      }
    }
    process.destroyForcibly();
    process = null;
    throw new IllegalStateException("bitcoind did not answer RPC within " + START_DEADLINE + ": " + last);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
