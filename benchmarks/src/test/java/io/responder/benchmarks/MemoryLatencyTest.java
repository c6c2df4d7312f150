package io.responder.benchmarks;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The memory benchmark at a small size: its line has the promised fields, each a positive time. */
class MemoryLatencyTest {
  @Test
  void printsThreePositiveTimesPerRead() {
    String line = new MemoryLatency.Run(1024, 3).measure();

    Matcher m = Pattern.compile(
        "objects=1024 rounds=3 dependent_ns=([0-9.]+) independent_ns=([0-9.]+) lookup_ns=([0-9.]+) check=[01]")
        .matcher(line);
    assertTrue(m.matches(), line);
    for (int g = 1; g <= 3; g++) {
      assertTrue(Double.parseDouble(m.group(g)) > 0, line);
    }
  }

  @Test
  void refusesASizeThatIsNotAPowerOfTwo() {
    assertThrows(IllegalArgumentException.class, () -> MemoryLatency.main(new String[] {"--objects", "1000"}));
  }
}
