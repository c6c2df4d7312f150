package io.responder.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.StoreUpdate;
import io.responder.core.TrackerPage;
import io.responder.core.TrackerStatus;
import io.responder.core.TrackerStore;
import io.responder.core.TransactionTracker;
import io.responder.store.inmemory.InMemoryTrackerStore;
import io.responder.testkit.Appointment;
import io.responder.testkit.TrackerStoreContract;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The in-memory store honours the same contract as a durable one. */
class InMemoryTrackerStoreTest extends TrackerStoreContract {
  @Override
  protected TrackerStore createStore() {
    return new InMemoryTrackerStore();
  }

  /**
   * Its table (uuid words inline, statuses apart from the records, deletion by shifting entries
   * back) holds what a map would, through growth and many removals: random commits, compared with a
   * {@code HashMap} after each.
   */
  @Test
  void randomCommitsKeepWhatAMapWouldAndPageInUuidOrder() {
    long seed = 16;
    Random rng = new Random(seed);
    BlockRef block = new BlockRef(BlockHash.fromHex("cd".repeat(32)), 100);
    TransactionTracker template = TransactionTracker.of(Appointment.random(rng).breach(block), OptionalInt.of(100),
        new TrackerStatus.InMempool(100));
    InMemoryTrackerStore store = new InMemoryTrackerStore();
    Map<UUID, TransactionTracker> model = new HashMap<>();
    List<UUID> known = new ArrayList<>();
    for (int commit = 0; commit < 400; commit++) {
      List<TransactionTracker> added = new ArrayList<>();
      Map<UUID, TrackerStatus> changed = new HashMap<>();
      Set<UUID> removed = new HashSet<>();
      for (int i = rng.nextInt(40); i > 0; i--) {
        // Uuids that differ in one word only, to crowd the probes, and now and then the nil uuid, whose
        // words are those of an empty slot.
        UUID u = rng.nextInt(50) == 0 ? new UUID(0, 0)
            : rng.nextBoolean() ? new UUID(rng.nextInt(64), rng.nextLong()) : new UUID(rng.nextLong(), 7);
        if (!model.containsKey(u) && !changed.containsKey(u) && !removed.contains(u) && added.stream().noneMatch(t -> t.uuid().equals(u))) {
          added.add(withUuid(template, u, rng.nextInt(1000)));
        }
      }
      for (int i = rng.nextInt(30); i > 0 && !known.isEmpty(); i--) {
        UUID u = known.get(rng.nextInt(known.size()));
        if (!removed.contains(u)) {
          changed.put(u, new TrackerStatus.InMempool(100 + rng.nextInt(50)));
        }
      }
      for (int i = rng.nextInt(25); i > 0 && !known.isEmpty(); i--) {
        UUID u = known.get(rng.nextInt(known.size()));
        changed.remove(u);
        removed.add(u);
      }
      changed.put(new UUID(-1, commit), new TrackerStatus.InMempool(1)); // not stored: ignored
      removed.add(new UUID(-2, commit));

      store.commit(new StoreUpdate(added, changed, removed, Optional.empty()));
      added.forEach(t -> model.put(t.uuid(), t));
      changed.forEach((u, s) -> model.computeIfPresent(u, (k, t) -> t.withStatus(s)));
      removed.forEach(model::remove);
      known.clear();
      known.addAll(model.keySet());
      known.sort(null);

      assertEquals(model, store.snapshot(), "seed " + seed + ", commit " + commit);
      for (UUID u : known) {
        assertEquals(Optional.of(model.get(u)), store.find(u), "seed " + seed + ", commit " + commit);
      }
      assertEquals(Optional.empty(), store.find(new UUID(-1, commit)));
      // Paged, in uuid order, whatever the page size (the order's buckets grow as the store does).
      List<UUID> inOrder = new ArrayList<>(known);
      inOrder.sort(TrackerPage.ORDER);
      List<UUID> paged = new ArrayList<>();
      int pageSize = 1 + rng.nextInt(300);
      UUID after = null;
      do {
        List<TransactionTracker> page = store.loadPage(after, pageSize);
        page.forEach(t -> paged.add(t.uuid()));
        after = page.size() < pageSize ? null : page.get(page.size() - 1).uuid();
      } while (after != null);
      assertEquals(inOrder, paged, "seed " + seed + ", commit " + commit + ", pages of " + pageSize);
    }
    assertEquals(model.size(), store.size());
  }

  private static TransactionTracker withUuid(TransactionTracker t, UUID uuid, int since) {
    String json = t.encode().replace(t.uuid().toString(), uuid.toString());
    return TransactionTracker.decode(json).withStatus(new TrackerStatus.InMempool(since));
  }
}
