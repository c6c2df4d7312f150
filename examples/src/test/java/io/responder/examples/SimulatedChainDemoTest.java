package io.responder.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The demo tells the story its README promises, from events the Responder really reported. */
class SimulatedChainDemoTest {
  @Test
  void theStoryHappensAsTold() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    SimulatedChainDemo.Summary summary;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      summary = SimulatedChainDemo.run(out);
    }
    String story = bytes.toString(StandardCharsets.UTF_8);

    // alice/1, alice/2 (one shared penalty), bob, carol
    assertEquals(new ConsoleListener.Tally(5, 5, 4, 4, 1, 0, 1, 2), summary.events());
    assertTrue(story.contains("penalty at risk     dave"), story);
    assertTrue(story.contains("rung 2 (") && !story.contains("rung 3 ("), "dave's penalty climbs to the 30 sat/vB rung, no higher");
    assertTrue(story.contains("dave's penalty re-signed at a higher fee"), "a variant is what gets mined");
    assertTrue(story.contains("blocks before the cheater could sweep"), story);
    assertEquals(0, summary.trackersLeft());
    assertTrue(story.contains("node has received it 1 time"), story);
    assertTrue(story.contains("receipt: PENDING"), story);
    assertTrue(story.contains("100 confirmations"), story);
    assertTrue(story.strip().endsWith(summary.toString()), story);
  }
}
