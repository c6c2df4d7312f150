package io.responder.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The real-node benchmark: skipped with a message without a node; on a real regtest node (when
 * {@code RESPONDER_BITCOIND} is set, as CI sets it) a tiny run completes, every measurement checked
 * by the benchmark itself (each breach accepted, the node's mempool holding exactly the set after
 * each floor and storm, the storm block sending every penalty), and prints its rows. No timing is
 * checked.
 */
class NodeStormBenchmarkTest {
  private static final String NUMBER = "[0-9]+(\\.[0-9]+)?";

  @Test
  void withoutANodeItSaysItIsSkippedAndStartsNothing() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    NodeStormBenchmark.run(Map.of(), new String[0], new PrintStream(bytes, true, StandardCharsets.UTF_8));

    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertEquals("Real-node benchmark: skipped (RESPONDER_BITCOIND is not set; point it at a bitcoind,"
        + " Bitcoin Core 28 or later)", printed.strip());
  }

  @Test
  void anUnknownOptionIsRefusedBeforeAnyNodeStarts() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NodeStormBenchmark.run(
        Map.of(RegtestProcess.BINARY_VARIABLE, "/no/such/bitcoind"), new String[] {"--storm", "5"}, System.out));
    assertTrue(e.getMessage().contains("--storm"), e.getMessage());
  }

  @Test
  void aTinyRunOnTheRealNodePrintsItsRows() throws Exception {
    assumeTrue(System.getenv(RegtestProcess.BINARY_VARIABLE) != null,
        RegtestProcess.BINARY_VARIABLE + " is not set: the real-node benchmark is not run");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    NodeStormBenchmark.run(System.getenv(), new String[] {"--storms", "12", "--expiries", "12", "--reorgs", "12", "--at-risk", "12",
        "--ladder-storms", "12", "--catch-ups", "12", "--intake", "12"},
        new PrintStream(bytes, true, StandardCharsets.UTF_8));

    List<String> all = bytes.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("row:")).toList();
    assertEquals(8, all.size(), bytes.toString(StandardCharsets.UTF_8));
    assertTrue(all.get(0).matches("\\s*row: n=12 reorg batched_onblock_ms=" + NUMBER + " one_by_one_onblock_ms=" + NUMBER
        + " one_by_one_over_batched=" + NUMBER + " batched_carrier_ms=" + NUMBER + " one_by_one_carrier_ms=" + NUMBER),
        all.get(0));
    List<String> rows = all.subList(1, all.size());
    assertTrue(rows.get(0).matches("\\s*row: n=12 floor_loop_ms=" + NUMBER + " floor_batch_ms=" + NUMBER
        + " batched_onblock_ms=" + NUMBER + " one_by_one_onblock_ms=" + NUMBER + " batched_over_floor_loop=" + NUMBER
        + " batched_over_floor_batch=" + NUMBER + " one_by_one_over_batched=" + NUMBER + " batched_carrier_ms=" + NUMBER
        + " one_by_one_carrier_ms=" + NUMBER), rows.get(0));
    assertTrue(rows.get(1).matches("\\s*row: n=12 batched_onblock_ms=" + NUMBER + " one_by_one_onblock_ms=" + NUMBER
        + " one_by_one_over_batched=" + NUMBER + " batched_carrier_ms=" + NUMBER + " one_by_one_carrier_ms=" + NUMBER),
        rows.get(1));
    assertTrue(rows.get(2).matches("\\s*row: n=12 at-risk batched_onblock_ms=" + NUMBER + " one_by_one_onblock_ms=" + NUMBER
        + " one_by_one_over_batched=" + NUMBER + " batched_carrier_ms=" + NUMBER + " one_by_one_carrier_ms=" + NUMBER),
        rows.get(2));
    assertTrue(rows.get(3).matches("\\s*row: n=12 ladder-storm batched_onblock_ms=" + NUMBER + " one_by_one_onblock_ms="
        + NUMBER + " one_by_one_over_batched=" + NUMBER + " batched_carrier_ms=" + NUMBER + " one_by_one_carrier_ms="
        + NUMBER), rows.get(3));
    assertTrue(rows.get(4).matches("\\s*row: n=12 catch-up onblock_ms=" + NUMBER + " carrier_ms=" + NUMBER
        + " carrier_calls=\\d+"), rows.get(4));
    for (int i = 5; i <= 6; i++) {
      assertTrue(rows.get(i).matches("\\s*row: n=12 pooled=" + (i == 6) + " breaches_per_s=" + NUMBER + " us_per_breach="
          + NUMBER + " validation_us=" + NUMBER + " carrier_us=" + NUMBER + " store_find_us=" + NUMBER
          + " store_commit_us=" + NUMBER + " responder_us=-?" + NUMBER), rows.get(i));
    }
  }
}
