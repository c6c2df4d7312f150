package io.responder.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class HeightIndexTest {
  @Test
  void takesEntriesByHeightAndCountsWhatIsFiled() {
    HeightIndex<String> index = new HeightIndex<>();
    index.add(10, "a");
    index.add(10, "b");
    index.add(12, "c");
    index.add(15, "d");
    index.add(20, "e");
    assertEquals(5, index.size());
    assertEquals(List.of("a", "b"), index.at(10));
    assertEquals(5, index.size(), "at() does not remove");

    assertEquals(List.of("a", "b", "c"), index.removeUpTo(12));
    assertEquals(2, index.size());
    assertEquals(List.of("e", "d"), index.removeAbove(12), "highest first");
    assertEquals(0, index.size());

    index.add(1, "x");
    index.add(2, "y");
    index.add(3, "z");
    index.pruneBelow(3);
    assertEquals(1, index.size());
    assertEquals(List.of("z"), index.removeUpTo(100));
    index.add(4, "w");
    index.clear();
    assertEquals(0, index.size());
    assertEquals(List.of(), index.removeUpTo(100));
  }
}
