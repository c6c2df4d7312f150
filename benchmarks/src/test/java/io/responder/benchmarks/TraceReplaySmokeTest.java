package io.responder.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replay on a tiny trace made by an earlier Python generator (24 breaches, 12 blocks with a
 * reorganisation of depth 2, penalties mined before the start, expiring subscriptions): it runs, its
 * summary line has the promised form, and its counts are those of the trace. No timing is checked.
 *
 * <p>Made with the options {@code --trackers 24 --blocks 12 --txids-per-block 12 --reorg-depth 2
 * --preconfirmed-fraction 0.2 --expiry-fraction 0.2 --shared-fraction 0.1 --confirm-fraction 0.2 --seed 1}.
 */
class TraceReplaySmokeTest {
  private static final Pattern SUMMARY = Pattern.compile(
      "trackers=(\\d+) blocks=(\\d+) onblock_ms_median=[0-9.]+ onblock_ms_max=[0-9.]+ intake_s=[0-9.]+"
          + " carrier_calls_per_block=[0-9.]+ heap_bytes_per_tracker=-?[0-9]+ completed=(\\d+) expired=(\\d+)"
          + " rebroadcasts=(\\d+)( \\w+=\\S+)*");

  @Test
  void replaysTheTinyTrace(@TempDir Path dir) throws Exception {
    Path trace = Path.of(TraceReplaySmokeTest.class.getResource("/tiny-trace.jsonl").toURI());
    long blockLines = Files.readAllLines(trace).stream().filter(l -> l.contains("\"op\": \"block\"")).count();
    Path perBlock = dir.resolve("per-block.jsonl");

    String summary = TraceReplay.run(trace, perBlock, 1, true);

    Matcher m = SUMMARY.matcher(summary);
    assertTrue(m.matches(), summary);
    assertEquals(24, Integer.parseInt(m.group(1)), summary);
    assertEquals(blockLines, Long.parseLong(m.group(2)), summary);
    assertTrue(Integer.parseInt(m.group(3)) > 0, "some tracker completes: " + summary);
    assertTrue(Integer.parseInt(m.group(4)) > 0, "some tracker expires: " + summary);
    assertTrue(summary.contains(" disconnected=2"), "the reorganisation is replayed: " + summary);
    List<String> lines = Files.readAllLines(perBlock);
    assertEquals(blockLines, lines.size());
    assertTrue(lines.get(0).matches("\\{\"height\":800001,\"start_ms\":\\d+,\"ms\":[0-9.]+,\"carrier_calls\":\\d+,\"trackers_left\":\\d+,"
        + "\"completed\":\\d+,\"expired\":\\d+,\"rebroadcast\":\\d+,\"confirmed_total\":\\d+,\"carrier_ms\":[0-9.]+,"
        + "\"store_ms\":[0-9.]+,\"cpu_ms\":[0-9.]+,\"other_cpu_ms\":-?[0-9.]+,\"changed\":\\d+,\"pass\":1}"), lines.get(0));
    Matcher carrier = Pattern.compile(" carrier_ms_median=([0-9.]+) .* cpu_us_per_changed_tracker_without_carrier=(-?[0-9.]+) ")
        .matcher(summary);
    assertTrue(carrier.find(), "the carrier's own time is reported: " + summary);
    assertTrue(summary.matches(".* other_threads_cpu_ms_per_plain_block=-?[0-9.]+ other_threads_cpu_ms_per_rebroadcast_block=-?[0-9.]+ .*"),
        "the other threads' time is reported: " + summary);
    Matcher store = Pattern.compile(" store_ms_median=([0-9.]+) onblock_cpu_ms_median_without_carrier_and_store=-?[0-9.]+"
        + " cpu_us_per_changed_tracker_without_carrier_and_store=(-?[0-9.]+)$").matcher(summary);
    assertTrue(store.find(), "the store's own time is reported: " + summary);
    assertTrue(Double.parseDouble(store.group(1)) > 0, "every block commits to the store: " + summary);
  }

  /**
   * The default warm-up: about 200,000 breaches' worth of passes, but never fewer than three, since a
   * million-tracker trace's one pass holds only twenty blocks for the compiler to warm up on.
   */
  @Test
  void theDefaultWarmUpIsAtLeastThreePassesAndAtMostTwenty() {
    assertEquals(20, TraceReplay.autoWarmups(24));
    assertEquals(20, TraceReplay.autoWarmups(10_000));
    assertEquals(8, TraceReplay.autoWarmups(25_000));
    assertEquals(3, TraceReplay.autoWarmups(100_000));
    assertEquals(3, TraceReplay.autoWarmups(1_000_000));
    assertEquals(20, TraceReplay.autoWarmups(0), "a trace without breaches is warmed up as one of a single breach");
  }

  /** Measured passes come one after another into the per-block file, each with its number and the same decisions. */
  @Test
  void measuresSeveralPassesInTurn(@TempDir Path dir) throws Exception {
    Path trace = Path.of(TraceReplaySmokeTest.class.getResource("/tiny-trace.jsonl").toURI());
    Path perBlock = dir.resolve("per-block.jsonl");

    int blockLines = (int) Files.readAllLines(trace).stream().filter(l -> l.contains("\"op\": \"block\"")).count();

    TraceReplay.run(trace, perBlock, 1, false, true, 3);

    List<String> lines = Files.readAllLines(perBlock);
    assertEquals(3 * blockLines, lines.size(), "every block, three times");
    Pattern decisions = Pattern.compile("\"carrier_calls\".*\"confirmed_total\":\\d+");
    for (int i = 0; i < lines.size(); i++) {
      int pass = i / blockLines + 1;
      assertTrue(lines.get(i).endsWith(",\"pass\":" + pass + "}"), lines.get(i));
      Matcher now = decisions.matcher(lines.get(i));
      Matcher first = decisions.matcher(lines.get(i % blockLines));
      assertTrue(now.find() && first.find(), lines.get(i));
      assertEquals(first.group(), now.group(), "pass " + pass + " decides as the first");
    }
  }
}
