package io.responder.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * README.md's "Against a real bitcoind" walkthrough, step by step, so it cannot rot:
 * {@code BitcoindRegtestExample} in a JVM of its own on a SQLite file, {@code examples/regtest/make-breach.sh}
 * for the breach, and the README's {@code bitcoin-cli} commands (confirm, reorganise, complete), with a
 * restart of the example in between. Needs {@code bitcoin-cli} beside the {@code bitcoind} of
 * {@value RegtestNode#BINARY_VARIABLE}, and {@code jq}.
 */
class RegtestWalkthroughIT {
  @RegisterExtension
  static final RegtestNode node = new RegtestNode();

  /** Polls every second: a step's events come within a few polls, or something is wrong. */
  private static final Duration EVENT_DEADLINE = Duration.ofSeconds(60);
  private static final String WALLET = "responder-demo";

  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopExamples() throws InterruptedException {
    for (Process p : started) {
      if (p.isAlive()) {
        p.destroy(); // our own child: its shutdown hook closes the poller and the store
        p.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void walkthroughFromTheReadme() throws Exception {
    Path cli = Path.of(System.getenv(RegtestNode.BINARY_VARIABLE)).toAbsolutePath().resolveSibling("bitcoin-cli");
    requireTool(Files.isExecutable(cli), "bitcoin-cli beside bitcoind");
    requireTool(run(List.of("jq", "--version"), null).exit() == 0, "jq");
    Path script = Path.of("..", "examples", "regtest", "make-breach.sh").toAbsolutePath().normalize();
    Path store = node.dataDir().resolve("walkthrough.db");
    String cliLine = cli + " -regtest -datadir=" + node.dataDir() + " -rpcport=" + node.config().port();

    Example example = Example.start(this, store);
    example.expect(l -> l.startsWith("Responder at block") && l.contains(" with 0 trackers"));

    Result breach = run(List.of("bash", script.toString()), cliLine);
    assertEquals(0, breach.exit(), "make-breach.sh: " + breach.output());
    String breachLine = breach.output().strip();
    assertTrue(breachLine.startsWith("breach "), breachLine);
    example.type(breachLine);
    example.expect(l -> l.startsWith("receipt ") && l.endsWith(": TRACKED, node accepted it into its mempool"));

    bcli(cliLine, "generatetoaddress", "1", address(cliLine));
    example.expect(l -> l.contains("> penalty confirmed"));

    String best = bcli(cliLine, "getbestblockhash");
    bcli(cliLine, "invalidateblock", best);
    bcli(cliLine, "generatetoaddress", "1", address(cliLine));
    example.expect(l -> l.contains("> blocks disconnected"));
    // "Sent again" answers accepted or already confirmed: bitcoind put the penalty back in its mempool
    // and may have mined it into the new block before the poller looked.
    example.expect(l -> l.contains("> penalty sent again"));
    example.expect(l -> l.contains("> penalty confirmed"));

    // Stopped and started again: it resumes from the SQLite file.
    example.type("quit");
    assertTrue(example.process.waitFor(30, TimeUnit.SECONDS), "the example quits");
    assertEquals(0, example.process.exitValue());
    Example again = Example.start(this, store);
    again.expect(l -> l.startsWith("Responder at block") && l.contains(" with 1 trackers"));

    bcli(cliLine, "generatetoaddress", "100", address(cliLine));
    again.expect(l -> l.contains("> tracker completed"));
    again.type("status");
    again.expect(l -> l.startsWith("tip ") && l.contains("trackers {PENDING=0, IN_MEMPOOL=0, CONFIRMED=0}"));
    again.type("quit");
    assertTrue(again.process.waitFor(30, TimeUnit.SECONDS), "the example quits");

    // The wallet make-breach.sh made comes back with the node, so the README's commands keep working.
    node.restart(false);
    assertEquals(WALLET, bcli(cliLine, "getwalletinfo").lines()
        .filter(l -> l.contains("\"walletname\"")).findFirst().orElseThrow().replaceAll(".*: \"(.*)\",?", "$1"));
  }

  /** The README's {@code bcli getnewaddress}. */
  private String address(String cliLine) throws Exception {
    return bcli(cliLine, "getnewaddress");
  }

  /** The README's {@code bcli}: {@code bitcoin-cli -regtest -rpcwallet=responder-demo}. */
  private String bcli(String cliLine, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(cliLine.split(" ")));
    command.add("-rpcwallet=" + WALLET);
    command.addAll(List.of(args));
    Result r = run(command, null);
    assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.output());
    return r.output().strip();
  }

  private static void requireTool(boolean present, String what) {
    if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException("CI=true but " + what + " is missing: the walkthrough must run in CI");
    }
    assumeTrue(present, what + " is missing: the README walkthrough is skipped");
  }

  private record Result(int exit, String output) {}

  /** Runs a short command to its end (bounded), stdout and stderr together. */
  private static Result run(List<String> command, String bitcoinCli) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    if (bitcoinCli != null) {
      pb.environment().put("BITCOIN_CLI", bitcoinCli);
    }
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return new Result(-1, e.getMessage());
    }
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(command.get(0) + " did not finish");
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  /** The example's JVM: lines typed on its standard input, lines read from its standard output. */
  private static final class Example {
    private final Process process;
    private final Writer in;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();

    private Example(Process process) {
      this.process = process;
      this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            lines.add(line);
          }
        } catch (IOException e) {
          lines.add("(output closed: " + e + ")");
        }
      }, "example-output");
      reader.setDaemon(true);
      reader.start();
    }

    static Example start(RegtestWalkthroughIT test, Path store) throws IOException {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      List<String> command = List.of(java, "-cp", System.getProperty("java.class.path"),
          "io.responder.examples.BitcoindRegtestExample",
          "--rpc-url", "http://127.0.0.1:" + node.config().port(),
          "--rpc-cookie", node.dataDir().resolve("regtest").resolve(".cookie").toString(),
          "--store", store.toString(),
          "--poll-seconds", "1");
      Process p = new ProcessBuilder(command)
          .redirectError(ProcessBuilder.Redirect.appendTo(node.dataDir().resolve("example-stderr.log").toFile()))
          .start();
      test.started.add(p);
      return new Example(p);
    }

    void type(String line) throws IOException {
      in.write(line + "\n");
      in.flush();
    }

    /** Waits (bounded) for the next output line that matches, skipping the others. */
    String expect(Predicate<String> wanted) throws InterruptedException {
      long deadline = System.nanoTime() + EVENT_DEADLINE.toNanos();
      while (true) {
        long left = deadline - System.nanoTime();
        String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
        if (line == null) {
          throw new AssertionError("the example did not print the expected line within " + EVENT_DEADLINE
              + "; it printed:\n" + String.join("\n", seen));
        }
        seen.add(line);
        if (wanted.test(line)) {
          return line;
        }
      }
    }
  }
}
