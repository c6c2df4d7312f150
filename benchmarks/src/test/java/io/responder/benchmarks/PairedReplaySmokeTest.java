package io.responder.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.Responder;
import io.responder.store.inmemory.InMemoryTrackerStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The paired replay on the tiny trace (see {@link TraceReplaySmokeTest}): two builds, here the same
 * one twice, replay it in turn and make the same decisions block by block; and the comparison it
 * prints is of the right blocks. No timing is checked.
 */
class PairedReplaySmokeTest {
  @Test
  void twoBuildsReplayTheTraceInTurnBothWaysAndDecideAlike(@TempDir Path dir) throws Exception {
    Path trace = Path.of(PairedReplaySmokeTest.class.getResource("/tiny-trace.jsonl").toURI());
    int blockLines = (int) Files.readAllLines(trace).stream().filter(l -> l.contains("\"op\": \"block\"")).count();
    String build = location(Responder.class) + ":" + location(InMemoryTrackerStore.class);

    PrintStream out = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      PairedReplay.main(new String[] {trace.toString(), "--a", build, "--b", build, "--out", dir.toString(), "--passes", "2",
          "--warmup", "1", "--crossover"});
    } finally {
      System.setOut(out);
    }

    List<String> a = Files.readAllLines(dir.resolve("b-as-b/a.jsonl"));
    List<String> b = Files.readAllLines(dir.resolve("b-as-a/a.jsonl"));
    assertEquals(2 * blockLines, a.size(), "every block of both passes");
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      assertEquals(decisions(a.get(i)), decisions(b.get(i)), "line " + (i + 1));
    }
    String text = printed.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("a: trackers=24 "), text);
    assertTrue(text.contains("b: trackers=24 "), text);
    assertTrue(text.contains("b / a, plain blocks ("), text);
    assertTrue(text.contains("b / a, crossover of both sides: plain blocks "), text);
    assertEquals(2 * blockLines, Files.readAllLines(dir.resolve("b-as-a/b.jsonl")).size());
  }

  /** Block by block, each build's CPU without the carrier's; plain blocks and storms apart. */
  @Test
  void comparesEachBlockWithTheSameBlockOfTheOtherBuild() {
    List<PairedReplay.BlockLine> a = new ArrayList<>();
    List<PairedReplay.BlockLine> b = new ArrayList<>();
    for (int h = 1; h <= 12; h++) {
      boolean storm = h % 6 == 0;
      a.add(new PairedReplay.BlockLine(h, 1, 10 + h, 2, 100, storm ? 90 : 0));
      b.add(new PairedReplay.BlockLine(h, 1, 2 + (storm ? 3 : 0.5) * (8 + h), 2, 100, storm ? 90 : 0));
    }

    String text = PairedReplay.compare(a, b);

    assertTrue(text.contains("b / a, plain blocks (10): median 0.500, quartiles 0.500 and 0.500"), text);
    assertTrue(text.contains("b / a, storm blocks (2): median 3.000"), text);
    // a's plain blocks: own CPU 8 + h for h in 1 to 11 but 6, over 100 changed trackers each
    assertTrue(text.contains("a: CPU us per changed tracker, plain blocks, per pass [140.000]"), text);
    List<PairedReplay.BlockLine> other = new ArrayList<>(b);
    other.set(3, new PairedReplay.BlockLine(4, 1, 5, 1, 99, 0));
    assertThrows(IllegalArgumentException.class, () -> PairedReplay.compare(a, other), "another block is no pair");
  }

  /** Both sides' runs make the crossover: b / a without the bias of either side, and that bias. */
  @Test
  void aCrossoverCancelsTheBiasOfTheSides() {
    // b really is 0.9 of a; being B costs 1.1 whichever build it is: 0.99 with b as B, 1.1 / 0.9 with b as A.
    PairedReplay.Ratios bAsB = new PairedReplay.Ratios(0.9 * 1.1, 1.0);
    PairedReplay.Ratios bAsA = new PairedReplay.Ratios(1.1 / 0.9, 1.0);

    String text = PairedReplay.crossover(bAsB, bAsA);

    assertTrue(text.contains("plain blocks 0.900 (the sides' bias 1.100), storm blocks 1.000 (1.000)"), text);
  }

  /** Each build runs first about half the time, and so at every sixth block (where the traces' storms are). */
  @Test
  void theFirstToRunABlockIsDrawnPerBlock() {
    int aFirst = 0;
    int aFirstAtStorms = 0;
    for (long n = 0; n < 1200; n++) {
      int first = PairedReplay.Turns.first(n);
      assertTrue(first == 0 || first == 1);
      if (first == 0) {
        aFirst++;
        if (n % 6 == 5) {
          aFirstAtStorms++;
        }
      }
    }
    assertTrue(aFirst > 500 && aFirst < 700, aFirst + " of 1200");
    assertTrue(aFirstAtStorms > 70 && aFirstAtStorms < 130, aFirstAtStorms + " of 200");
  }

  private static String decisions(String line) {
    return line.replaceAll("\"(start_ms|ms|carrier_ms|store_ms|cpu_ms|other_cpu_ms)\":-?[0-9.]+,", "");
  }

  private static String location(Class<?> c) throws Exception {
    return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }
}
