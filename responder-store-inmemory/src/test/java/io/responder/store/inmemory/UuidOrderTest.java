package io.responder.store.inmemory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.TrackerPage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The uuid order leaves removals to the table, and keeps its stale entries bounded. */
class UuidOrderTest {
  private final Set<UUID> stored = new HashSet<>();
  private final UuidOrder order = new UuidOrder((msb, lsb) -> stored.contains(new UUID(msb, lsb)));

  private void add(UUID u) {
    stored.add(u);
    order.add(u);
  }

  /**
   * A store that keeps about 1,000 trackers while 200,000 come and go (some uuids coming back after
   * their removal): its pages hold exactly the stored uuids, in order, each once, and the entries
   * held stay within a few times the stored ones instead of growing with every tracker ever added.
   */
  @Test
  void churnKeepsPagesExactAndStaleEntriesBounded() {
    Random rng = new Random(21);
    List<UUID> live = new ArrayList<>();
    List<UUID> gone = new ArrayList<>();
    for (int step = 0; step < 200_000; step++) {
      if (live.size() < 1_000 || rng.nextBoolean()) {
        UUID u = !gone.isEmpty() && rng.nextInt(10) == 0 ? gone.remove(rng.nextInt(gone.size()))
            : new UUID(rng.nextLong(), rng.nextLong());
        add(u);
        live.add(u);
      } else {
        UUID u = live.remove(rng.nextInt(live.size()));
        stored.remove(u); // the table's removal: the order is not told
        if (gone.size() < 5_000) {
          gone.add(u);
        }
      }
      if (step % 20_000 == 0) {
        assertPagesHoldExactlyTheStored();
      }
      assertTrue(order.entries() <= 4 * stored.size() + 16 * 16, order.entries() + " entries for " + stored.size()
          + " stored, at step " + step);
    }
    assertPagesHoldExactlyTheStored();
  }

  private void assertPagesHoldExactlyTheStored() {
    List<UUID> expected = new ArrayList<>(stored);
    expected.sort(TrackerPage.ORDER);
    List<UUID> paged = new ArrayList<>();
    UUID after = null;
    List<UUID> page;
    do {
      page = order.after(after, 97);
      paged.addAll(page);
      after = page.isEmpty() ? null : page.get(page.size() - 1);
    } while (page.size() == 97);
    assertEquals(expected, paged);
  }
}
