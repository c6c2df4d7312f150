package io.responder.bitcoind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.BlockRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Catching up a gap of thousands of full blocks in a heap far smaller than the gap: the poller runs
 * in a child JVM with a small {@code -Xmx} ({@link LargeGapCatchUp}), against a fake node over real
 * loopback HTTP in this JVM. Fetching the whole gap before handing any of it over needs about
 * {@code GAP * TXIDS * 52} bytes of parsed txids (some 115 MB here) and runs out of memory; handing
 * it over batch by batch needs one batch.
 */
class BlockPollerMemoryTest {
  static final int GAP = 1_500;
  /** A full block holds two to four thousand transactions; 1,500 keeps the test quick. */
  static final int TXIDS = 1_500;
  static final String HEAP = "-Xmx32m";

  @Test
  void aGapOfThousandsOfFullBlocksIsCaughtUpInASmallHeap(@TempDir Path dir) throws Exception {
    try (FakeBitcoind node = new FakeBitcoind(10)) {
      BlockRef start = node.tip();
      node.mineEmpty(GAP);
      node.padBlocks(TXIDS);
      BlockRef best = node.tip();

      String out = runChild(dir, node.config().build().port(), start);

      assertTrue(out.contains("poll=ADVANCED"), out);
      assertTrue(out.contains("tip=" + best.height() + " " + best.hash()), out);
      assertTrue(out.contains("blocks=" + GAP + " txids=" + (long) GAP * (TXIDS + 1) + " outOfOrder=0"), out);
      assertTrue(node.batchRequests() >= 2 * (GAP - 1) / BlockPoller.CATCH_UP_BATCH, "fetched in batches");
    }
  }

  private static String runChild(Path dir, int port, BlockRef start) throws IOException, InterruptedException {
    Path log = dir.resolve("child.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(List.of(java, HEAP, "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"), LargeGapCatchUp.class.getName(),
        Integer.toString(port), start.hash().toHex(), Integer.toString(start.height())))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    // A guard against a hung child, not a speed requirement: the catch-up takes seconds.
    if (!child.waitFor(10, TimeUnit.MINUTES)) {
      child.destroyForcibly().waitFor();
      throw new AssertionError("the child JVM did not finish: " + Files.readString(log, StandardCharsets.UTF_8));
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertEquals(0, child.exitValue(), out);
    return out;
  }
}
