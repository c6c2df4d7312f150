package io.responder.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The card-marking benchmark at a small size: a line per shape and kind, each with its two times. */
class CardMarkingTest {
  @Test
  void printsALinePerShapeAndKindWithBothThreadsTimes() throws InterruptedException {
    List<String> lines = new CardMarking.Run(2_000, 2_000, 100, 1, 1).measure();

    assertEquals(6, lines.size(), lines.toString());
    List<String> expected = List.of("table references_at_random 2000", "table references_in_order 2000",
        "table bytes_at_random 2000", "objects young_reference 100", "objects old_reference 100", "objects long 100");
    Pattern fields = Pattern.compile(
        "shape=(\\w+) kind=(\\w+) stores=(\\d+) own_thread_ms=([0-9.]+) other_threads_ms=(-?[0-9.]+)");
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = fields.matcher(lines.get(i));
      assertTrue(m.matches(), lines.get(i));
      assertEquals(expected.get(i), m.group(1) + " " + m.group(2) + " " + m.group(3));
      assertTrue(Double.parseDouble(m.group(4)) >= 0, lines.get(i));
    }
  }

  @Test
  void refusesACountThatIsNotPositive() {
    assertThrows(IllegalArgumentException.class, () -> CardMarking.main(new String[] {"--per-block", "0"}));
  }
}
