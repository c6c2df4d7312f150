package io.responder.store.inmemory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.TrackerStatus;
import io.responder.core.TransactionTracker;
import io.responder.testkit.Appointment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The tracker table against a {@code HashMap} model: trackers and their latest statuses, through
 * growth, batched status changes and removals that shift entries back, with the nil uuid (whose
 * words are an empty slot's) among the keys.
 */
class TrackerTableTest {
  private static final BlockRef BLOCK = new BlockRef(BlockHash.fromHex("ab".repeat(32)), 500);

  private final Random rng = new Random(61);
  private final TransactionTracker template =
      TransactionTracker.of(Appointment.random(rng).breach(BLOCK), OptionalInt.of(500), new TrackerStatus.InMempool(500));

  @Test
  void randomOperationsKeepWhatAMapWould() {
    TrackerTable table = new TrackerTable();
    Map<UUID, TransactionTracker> model = new HashMap<>();
    for (int step = 0; step < 6_000; step++) {
      int op = rng.nextInt(10);
      if (op < 4 || model.size() < 50) {
        UUID u = uuid();
        if (!model.containsKey(u)) {
          TransactionTracker t = withUuid(u).withStatus(status());
          table.add(t);
          model.put(u, t);
        }
      } else if (op < 7) {
        List<UUID> picked = pick(model, 1 + rng.nextInt(40));
        picked.add(new UUID(-1, step)); // not stored: ignored
        long[] words = words(picked);
        TrackerStatus[] statuses = new TrackerStatus[picked.size()];
        for (int k = 0; k < statuses.length; k++) {
          statuses[k] = k > 0 && rng.nextBoolean() ? statuses[k - 1] : status(); // runs, as a change set gives them
        }
        table.setStatuses(words, statuses);
        for (int k = 0; k < picked.size(); k++) {
          TrackerStatus s = statuses[k];
          model.computeIfPresent(picked.get(k), (key, t) -> t.withStatus(s));
        }
      } else {
        List<UUID> picked = pick(model, 1 + rng.nextInt(30));
        picked.add(new UUID(-2, step));
        table.removeAll(words(picked));
        picked.forEach(model::remove);
      }
      if (step % 200 == 0) {
        assertHolds(table, model, step);
      }
    }
    assertHolds(table, model, -1);
    table.removeAll(words(new ArrayList<>(model.keySet())));
    assertEquals(0, table.size());
    assertEquals(List.of(), table.all());
  }

  @Test
  void aTrackerReadBackWithItsStoredStatusIsTheRecordItself() {
    TrackerTable table = new TrackerTable();
    TransactionTracker t = withUuid(new UUID(3, 4));
    table.add(t);
    assertSame(t, table.get(t.uuid()));
    TrackerStatus later = new TrackerStatus.Confirmed(BLOCK);
    table.setStatuses(new long[] {3, 4}, new TrackerStatus[] {later});
    assertEquals(t.withStatus(later), table.get(t.uuid()));
    table.removeAll(new long[] {3, 4});
    assertNull(table.get(t.uuid()));
    assertEquals(0, table.size());
  }

  /**
   * Statuses keep coming (a new height each block, a new block for each confirmation) while few are
   * held at once: the status codes are compacted again and again, and no slot's status changes by it,
   * whether the compaction comes in the middle of a batch of changes or of an intake.
   */
  @Test
  void statusesOfEverNewHeightsAreCompactedWithoutChangingAny() {
    TrackerTable table = new TrackerTable();
    Map<UUID, TransactionTracker> model = new HashMap<>();
    int height = 1_000;
    for (int round = 0; round < 40; round++) {
      for (int i = 0; i < 60; i++) { // an intake, each at its own height
        UUID u = new UUID(round + 1, i);
        TransactionTracker t = withUuid(u).withStatus(new TrackerStatus.InMempool(height++));
        table.add(t);
        model.put(u, t);
      }
      List<UUID> picked = pick(model, 150);
      TrackerStatus[] statuses = new TrackerStatus[picked.size()];
      for (int k = 0; k < statuses.length; k++) { // a block's changes: mostly distinct here
        statuses[k] = k % 3 == 0 ? new TrackerStatus.Confirmed(new BlockRef(BLOCK.hash(), height++))
            : k % 3 == 1 ? new TrackerStatus.Pending(height++) : new TrackerStatus.InMempool(height++);
      }
      table.setStatuses(words(picked), statuses);
      for (int k = 0; k < picked.size(); k++) {
        TrackerStatus s = statuses[k];
        model.computeIfPresent(picked.get(k), (key, t) -> t.withStatus(s));
      }
      List<UUID> gone = pick(model, 40);
      table.removeAll(words(gone));
      gone.forEach(model::remove);
      assertHolds(table, model, round);
    }
    assertTrue(height - 1_000 > 5 * 1024, "enough distinct statuses to fill the codes several times: " + height);
    assertTrue(table.statusCodesGiven() <= 3 * model.size() + 1024,
        table.statusCodesGiven() + " codes given for " + model.size() + " trackers");
  }

  /**
   * Status writes and removals of more uuids than one slice of their probes (a block's thousands),
   * shuffled so that uuids crowding the same probe runs fall in different slices, with uuids not
   * stored and the nil uuid among them.
   */
  @Test
  void bulkWritesOfSeveralSlicesKeepWhatAMapWould() {
    TrackerTable table = new TrackerTable();
    Map<UUID, TransactionTracker> model = new HashMap<>();
    while (model.size() < 3_000) {
      UUID u = uuid();
      if (!model.containsKey(u)) {
        TransactionTracker t = withUuid(u).withStatus(status());
        table.add(t);
        model.put(u, t);
      }
    }
    for (int round = 0; round < 4; round++) {
      List<UUID> changed = pick(model, 1_200);
      changed.add(new UUID(-1, round)); // not stored: ignored
      Collections.shuffle(changed, rng);
      TrackerStatus[] statuses = new TrackerStatus[changed.size()];
      for (int k = 0; k < statuses.length; k++) {
        statuses[k] = status();
      }
      table.setStatuses(words(changed), statuses);
      for (int k = 0; k < changed.size(); k++) {
        TrackerStatus s = statuses[k];
        model.computeIfPresent(changed.get(k), (key, t) -> t.withStatus(s));
      }
      assertHolds(table, model, round);

      List<UUID> gone = pick(model, 600);
      gone.add(new UUID(-2, round));
      Collections.shuffle(gone, rng);
      table.removeAll(words(gone));
      gone.forEach(model::remove);
      assertHolds(table, model, round);
    }
  }

  private void assertHolds(TrackerTable table, Map<UUID, TransactionTracker> model, int step) {
    Map<UUID, TransactionTracker> all = new HashMap<>();
    table.all().forEach(t -> all.put(t.uuid(), t));
    assertEquals(model, all, "step " + step);
    assertEquals(model.size(), table.size());
    List<UUID> keys = new ArrayList<>(model.keySet());
    keys.add(new UUID(-3, step));
    List<TransactionTracker> read = new ArrayList<>();
    table.getAll(keys, read);
    for (int k = 0; k < keys.size(); k++) {
      assertEquals(model.get(keys.get(k)), read.get(k), "step " + step);
      assertEquals(model.get(keys.get(k)), table.get(keys.get(k)), "step " + step);
    }
  }

  /** Uuids that differ in one word only, to crowd the probes, and now and then the nil uuid. */
  private UUID uuid() {
    int kind = rng.nextInt(40);
    return kind == 0 ? new UUID(0, 0) : kind % 2 == 0 ? new UUID(rng.nextInt(64), rng.nextLong()) : new UUID(rng.nextLong(), 7);
  }

  /** A status from a small pool, each time a new object. */
  private TrackerStatus status() {
    int h = 500 + rng.nextInt(6);
    return switch (rng.nextInt(3)) {
      case 0 -> new TrackerStatus.Pending(h);
      case 1 -> new TrackerStatus.InMempool(h);
      default -> new TrackerStatus.Confirmed(new BlockRef(BLOCK.hash(), h));
    };
  }

  private List<UUID> pick(Map<UUID, TransactionTracker> model, int n) {
    List<UUID> keys = new ArrayList<>(model.keySet());
    keys.sort(null);
    Set<UUID> picked = new HashSet<>();
    for (int i = 0; i < n && !keys.isEmpty(); i++) {
      picked.add(keys.get(rng.nextInt(keys.size())));
    }
    List<UUID> out = new ArrayList<>(picked);
    out.sort(null);
    return out;
  }

  private static long[] words(List<UUID> uuids) {
    long[] words = new long[2 * uuids.size()];
    for (int k = 0; k < uuids.size(); k++) {
      words[2 * k] = uuids.get(k).getMostSignificantBits();
      words[2 * k + 1] = uuids.get(k).getLeastSignificantBits();
    }
    return words;
  }

  private TransactionTracker withUuid(UUID uuid) {
    String json = template.encode().replace(template.uuid().toString(), uuid.toString());
    return TransactionTracker.decode(json);
  }
}
