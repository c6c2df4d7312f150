package io.responder.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The refused storm at a small size: the block where the count of missed blocks turns over sends
 * every penalty again and the node refuses them all, and the block after retries them all, refused
 * again. No timing is checked.
 */
class RefusedStormSmokeTest {
  @Test
  void everyPenaltyIsRefusedInTheStormAndAgainInTheRetry() {
    List<String> lines = run("--penalties", "40", "--seed", "3");
    assertEquals(8, lines.size(), String.join("\n", lines)); // 7 blocks and the totals
    for (int k = 0; k < 5; k++) {
      assertTrue(lines.get(k).endsWith(" refused=0"), lines.get(k));
    }
    assertTrue(lines.get(5).startsWith("block=6 ") && lines.get(5).endsWith(" refused=40"), lines.get(5));
    assertTrue(lines.get(6).startsWith("block=7 ") && lines.get(6).endsWith(" refused=40"), lines.get(6));
    assertTrue(lines.get(7).startsWith("penalties=40 ") && lines.get(7).contains(" refused=80 ")
        && lines.get(7).endsWith(" sends=120"), lines.get(7));
  }

  @Test
  void moreRetriesAreMoreBlocksEachRefusingEveryPenaltyAgain() {
    List<String> lines = run("--penalties", "25", "--retries", "3");
    assertEquals(10, lines.size(), String.join("\n", lines)); // 5 quiet blocks, the storm, 3 retries, the totals
    for (int k = 5; k < 9; k++) {
      assertTrue(lines.get(k).endsWith(" refused=25"), lines.get(k));
    }
    assertTrue(lines.get(9).contains(" refused=100 ") && lines.get(9).endsWith(" sends=125"), lines.get(9));
  }

  @Test
  void aSizeBelowOneIsRefusedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RefusedStorm.main(new String[] {"--penalties", "0"}));
    assertTrue(e.getMessage().contains("--penalties"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> RefusedStorm.main(new String[] {"--retries", "0"}));
    assertTrue(e.getMessage().contains("--retries"), e.getMessage());
  }

  private static List<String> run(String... args) {
    PrintStream out = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      RefusedStorm.main(args);
    } finally {
      System.setOut(out);
    }
    return printed.toString(StandardCharsets.UTF_8).lines().toList();
  }
}
