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

  /**
   * The list last filed into is reused for the next entry at its height, and a drained height's
   * list is handed out: an entry filed at that height afterwards (a block re-filing what it just took)
   * goes into a new list, not into the one the caller is reading, and nothing is lost or counted twice.
   */
  @Test
  void fillingAHeightAfterDrainingItStartsAFreshList() {
    HeightIndex<String> index = new HeightIndex<>();
    index.add(10, "a");
    index.add(10, "b");
    List<String> taken = index.removeUpTo(10);
    index.add(10, "c"); // re-filed at the height just drained
    index.add(11, "d");
    index.add(10, "e");
    assertEquals(List.of("a", "b"), taken);
    assertEquals(3, index.size());
    assertEquals(List.of("c", "e"), index.at(10));

    List<String> above = index.removeAbove(9);
    index.add(11, "f");
    assertEquals(List.of("d", "c", "e"), above);
    assertEquals(List.of("f"), index.removeUpTo(11));

    index.add(5, "g");
    index.pruneBelow(6);
    index.add(5, "h");
    assertEquals(List.of("h"), index.removeUpTo(5), "after a prune the height's list is found anew");
    index.add(7, "i");
    index.clear();
    index.add(7, "j");
    assertEquals(List.of("j"), index.removeUpTo(7));
    assertEquals(0, index.size());
  }
}
