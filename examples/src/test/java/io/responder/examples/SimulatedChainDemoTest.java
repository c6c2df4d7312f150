package io.responder.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo tells the story its README promises, from events the Responder really reported: every
 * sentence of the narration that states a number or an outcome is checked against the event lines
 * ({@code >}) and block lines printed around it.
 */
class SimulatedChainDemoTest {
  private static final Pattern BLOCK_LINE = Pattern.compile("^block (\\d+) mined: .*");

  private static SimulatedChainDemo.Summary summary;
  private static String story;
  private static List<String> lines;

  @BeforeAll
  static void runTheDemo() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      summary = SimulatedChainDemo.run(out);
    }
    story = bytes.toString(StandardCharsets.UTF_8);
    lines = story.lines().toList();
  }

  @Test
  void theStoryHappensAsTold() {
    // alice/1, alice/2 (one shared penalty), bob, carol, dave; bob's penalty sent again twice
    // (missed blocks, reorganisation); carol's pending penalty retried twice, once while the node was down.
    assertEquals(new ConsoleListener.Tally(5, 5, 2, 2, 1, 4, 1, 0, 1, 2), summary.events());
    assertTrue(story.contains("penalty at risk     dave"), story);
    assertTrue(story.contains("rung 2 (") && !story.contains("rung 3 ("), "dave's penalty climbs to the 30 sat/vB rung, no higher");
    assertTrue(story.contains("dave's penalty re-signed at a higher fee"), "a variant is what gets mined");
    assertEquals(0, summary.trackersLeft());
    assertTrue(story.contains("node has received it 1 time"), story);
    assertTrue(story.contains("receipt: PENDING"), story);
    assertTrue(story.contains("100 confirmations"), story);
    assertTrue(story.strip().endsWith(summary.toString()), story);
  }

  @Test
  void theSummaryCountsTheEventLinesPrinted() {
    ConsoleListener.Tally t = summary.events();
    assertEquals(t.added(), count(l -> l.startsWith(ConsoleListener.EVENT + "tracker added")));
    assertEquals(t.confirmed(), count(l -> l.startsWith(ConsoleListener.EVENT + "penalty confirmed")));
    assertEquals(t.resent(), count(l -> l.startsWith(ConsoleListener.EVENT + "penalty sent again")));
    assertEquals(t.retries(), count(l -> l.startsWith(ConsoleListener.EVENT + "pending retry")));
    assertEquals(t.retriesUnreached(), count(l -> l.startsWith(ConsoleListener.EVENT + "pending retry")
        && l.contains("node unavailable")));
    assertEquals(t.completed(), count(l -> l.startsWith(ConsoleListener.EVENT + "tracker completed")));
    assertEquals(t.expired(), count(l -> l.startsWith(ConsoleListener.EVENT + "tracker expired")));
    assertEquals(t.reorgs(), count(l -> l.startsWith(ConsoleListener.EVENT + "blocks disconnected")));
  }

  @Test
  void bobsPenaltyIsSentAgainAfterTheNumberOfMissedBlocksTold() {
    int told = lineOf(l -> l.startsWith("The Responder counts the blocks that miss it"));
    int missed = Integer.parseInt(find(lines.get(told), "sends it again after (\\d+)\\."));
    int resent = lineOf(l -> l.startsWith(ConsoleListener.EVENT + "penalty sent again  bob"));
    assertTrue(lines.get(resent).contains("it missed too many blocks"), lines.get(resent));
    assertEquals(missed, blockLinesBetween(told, resent).size(), "block lines before bob's penalty is sent again");
  }

  @Test
  void theReorganisationReplacesAsManyBlocksAsToldWithAsManyAsPrinted() {
    int told = lineOf(l -> l.startsWith("Another miner's branch wins"));
    int replaced = Integer.parseInt(find(lines.get(told), "the last (\\d+) blocks"));
    int newOnes = Integer.parseInt(find(lines.get(told), "replaced by (\\d+) new ones"));
    int handedOver = lineOf(l -> l.startsWith("The host's chain loop hands over only the new tip"));
    List<Integer> branch = blockLinesBetween(told, handedOver);
    assertEquals(newOnes, branch.size(), "the new branch's blocks are printed");
    String disconnected = lines.get(lineOf(l -> l.startsWith(ConsoleListener.EVENT + "blocks disconnected")));
    assertEquals(replaced, Integer.parseInt(find(disconnected, "blocks disconnected (\\d+) ")));
    int fork = Integer.parseInt(find(disconnected, "fork point at (\\d+)"));
    for (int i = 0; i < branch.size(); i++) {
      assertEquals(fork + 1 + i, branch.get(i), "the branch grows from the fork point");
    }
    assertTrue(lines.get(handedOver).contains("block " + branch.get(branch.size() - 1) + ";"), lines.get(handedOver));
    String resent = lines.get(lineOf(l -> l.startsWith(ConsoleListener.EVENT + "penalty sent again  bob")
        && l.contains("its block was disconnected")));
    assertTrue(resent.endsWith("node accepted it into its mempool"), resent);
  }

  @Test
  void carolsRetriesAreToldAsRetriesAndHerPenaltyWaitsAsTold() {
    int down = lineOf(l -> l.contains("The node goes down"));
    int back = Integer.parseInt(find(lines.get(down), "back when block (\\d+) is mined"));
    int end = Integer.parseInt(find(lines.get(down), "subscription ends at block (\\d+)"));
    int receipt = lineOf(l -> l.startsWith("  receipt: PENDING, node unavailable"));
    int unreached = lineOf(l -> l.startsWith(ConsoleListener.EVENT + "pending retry       carol")
        && l.contains("node unavailable"));
    int reached = lineOf(l -> l.startsWith(ConsoleListener.EVENT + "pending retry       carol")
        && l.contains("node accepted it"));
    assertTrue(down < receipt && receipt < unreached && unreached < reached);
    List<Integer> whileDown = blockLinesBetween(down, reached);
    assertEquals(back, whileDown.get(whileDown.size() - 1), "the first send that reaches the node is at the block told");
    assertTrue(whileDown.stream().limit(whileDown.size() - 1).allMatch(h -> h < back));

    int waits = lineOf(l -> l.startsWith("The next blocks are empty: once the node takes carol's penalty"));
    int expired = lineOf(l -> l.startsWith(ConsoleListener.EVENT + "tracker expired     carol"));
    for (int i = waits + 1; i < expired; i++) {
      assertTrue(!BLOCK_LINE.matcher(lines.get(i)).matches() || lines.get(i).endsWith("nothing of ours"), lines.get(i));
    }
    assertTrue(lines.get(expired).contains("subscription ended at block " + end), lines.get(expired));
    int minedLater = lineOf(l -> l.startsWith("The next block mines carol's penalty after all"));
    assertTrue(lines.get(minedLater + 1).matches("block \\d+ mined: carol's penalty \\w+ \\(no longer tracked\\)"),
        lines.get(minedLater + 1));
    assertTrue(lines.get(minedLater + 2).isEmpty(), "no event about it: " + lines.get(minedLater + 2));
  }

  @Test
  void davesPenaltyIsMinedAsManyBlocksBeforeTheDeadlineAsTold() {
    String atRisk = lines.get(lineOf(l -> l.startsWith(ConsoleListener.EVENT + "penalty at risk     dave")));
    int deadline = Integer.parseInt(find(atRisk, "sweep at block (\\d+)"));
    String confirmed = lines.get(lineOf(l -> l.startsWith(ConsoleListener.EVENT + "penalty confirmed   dave")));
    int minedAt = Integer.parseInt(find(confirmed, "in block (\\d+)"));
    String told = lines.get(lineOf(l -> l.startsWith("dave's penalty is mined")));
    assertEquals(deadline - minedAt, Integer.parseInt(find(told, "mined (\\d+) blocks before")));
  }

  private static long count(Predicate<String> p) {
    return lines.stream().filter(p).count();
  }

  private static int lineOf(Predicate<String> p) {
    for (int i = 0; i < lines.size(); i++) {
      if (p.test(lines.get(i))) {
        return i;
      }
    }
    throw new AssertionError("no such line in the story:\n" + story);
  }

  /** The heights of the block lines strictly between two lines. */
  private static List<Integer> blockLinesBetween(int from, int to) {
    List<Integer> heights = new ArrayList<>();
    for (int i = from + 1; i < to; i++) {
      Matcher m = BLOCK_LINE.matcher(lines.get(i));
      if (m.matches()) {
        heights.add(Integer.parseInt(m.group(1)));
      }
    }
    return heights;
  }

  private static String find(String line, String regex) {
    Matcher m = Pattern.compile(regex).matcher(line);
    assertTrue(m.find(), "'" + regex + "' in: " + line);
    return m.group(1);
  }
}
