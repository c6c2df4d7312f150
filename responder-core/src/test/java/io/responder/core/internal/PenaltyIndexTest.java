package io.responder.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.responder.core.TrackerStatus;
import io.responder.core.Txid;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PenaltyIndexTest {
  private static final int STATUS = new StatusCodes().hold(new TrackerStatus.InMempool(1));

  @Test
  void agreesWithAHashMapThroughRandomPutsAndRemovals() {
    long seed = new Random().nextLong();
    Random rng = new Random(seed);
    PenaltyIndex index = new PenaltyIndex();
    Map<Txid, PenaltyGroup> model = new HashMap<>();
    // A small key space, so that puts hit existing keys and removals hit present ones.
    Txid[] keys = new Txid[3_000];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = i % 50 == 0 ? collidingTxid(rng, i) : randomTxid(rng);
    }
    for (int step = 0; step < 200_000; step++) {
      Txid t = keys[rng.nextInt(keys.length)];
      if (rng.nextInt(3) == 0) {
        assertSame(model.remove(t), index.remove(t), "seed " + seed + " step " + step);
      } else {
        PenaltyGroup g = group(t);
        assertSame(model.put(t, g), index.put(t, g), "seed " + seed + " step " + step);
      }
      assertEquals(model.size(), index.size(), "seed " + seed);
      Txid probe = keys[rng.nextInt(keys.length)];
      assertSame(model.get(probe), index.get(probe), "seed " + seed + " step " + step);
      if (step % 1_000 == 0) {
        assertAllAgree(model, index, List.of(keys).subList(0, 500), "seed " + seed + " step " + step);
      }
      if (step % 97 == 0) {
        removeTogether(rng, model, index, keys, "seed " + seed + " step " + step);
      }
    }
    for (Txid t : keys) {
      assertSame(model.get(t), index.get(t), "seed " + seed);
    }
    Set<PenaltyGroup> iterated = new HashSet<>();
    index.forEach(iterated::add);
    assertEquals(new HashSet<>(model.values()), iterated, "seed " + seed);
  }

  /**
   * Hundreds of txids with one home slot: probe runs longer than a slot's distance byte holds, where
   * the shift after a removal must read the txids to find where each entry belongs.
   */
  @Test
  void probeRunsLongerThanADistanceByteSurviveRemovals() {
    Random rng = new Random(11);
    PenaltyIndex index = new PenaltyIndex();
    Map<Txid, PenaltyGroup> model = new HashMap<>();
    Txid[] keys = new Txid[700];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = i % 2 == 0 ? collidingTxid(rng, 100 * i) : randomTxid(rng); // every other one hashes to 0
      PenaltyGroup g = group(keys[i]);
      index.put(keys[i], g);
      model.put(keys[i], g);
    }
    for (int step = 0; step < 5_000; step++) {
      Txid t = keys[rng.nextInt(keys.length)];
      if (rng.nextBoolean()) {
        assertSame(model.remove(t), index.remove(t), "step " + step);
      } else {
        PenaltyGroup g = group(t);
        assertSame(model.put(t, g), index.put(t, g), "step " + step);
      }
      if (step % 50 == 0) {
        removeTogether(rng, model, index, keys, "step " + step);
      }
      for (Txid k : keys) {
        assertSame(model.get(k), index.get(k), "step " + step);
      }
      assertAllAgree(model, index, List.of(keys), "step " + step);
    }
  }

  /**
   * {@code removeAll} of a few filed groups (colliding ones among them, and one twice) and of groups
   * never filed under their txids, which must stay out while the filed ones of those txids stay in.
   * One call in ten removes hundreds, more than one slice of the method's look-ups.
   */
  private static void removeTogether(Random rng, Map<Txid, PenaltyGroup> model, PenaltyIndex index, Txid[] keys,
      String where) {
    List<PenaltyGroup> gone = new ArrayList<>();
    int count = rng.nextInt(10) == 0 ? 700 : 30;
    for (int i = 0; i < count; i++) {
      Txid t = keys[rng.nextInt(keys.length)];
      PenaltyGroup filed = model.get(t);
      if (filed != null && rng.nextInt(4) != 0) {
        gone.add(filed);
        if (i == 0) {
          gone.add(filed);
        }
      } else {
        gone.add(group(t));
      }
    }
    index.removeAll(gone);
    for (PenaltyGroup g : gone) {
      model.remove(g.txid(), g);
    }
    assertEquals(model.size(), index.size(), where);
    for (PenaltyGroup g : gone) {
      assertSame(model.get(g.txid()), index.get(g.txid()), where);
    }
  }

  /** {@code getAll} gives what {@code get} gives each, in order, repeats and absent keys included. */
  private static void assertAllAgree(Map<Txid, PenaltyGroup> model, PenaltyIndex index, List<Txid> asked, String where) {
    List<Txid> withRepeats = new ArrayList<>(asked);
    withRepeats.addAll(asked.subList(0, Math.min(10, asked.size())));
    PenaltyGroup[] found = index.getAll(withRepeats, 0, withRepeats.size());
    for (int i = 0; i < withRepeats.size(); i++) {
      assertSame(model.get(withRepeats.get(i)), found[i], where + " at " + i);
    }
    // A slice in the middle, as a block is looked up: its own answers, from the array's start.
    int from = withRepeats.size() / 3;
    int to = 2 * withRepeats.size() / 3;
    PenaltyGroup[] slice = index.getAll(withRepeats, from, to);
    for (int i = from; i < to; i++) {
      assertSame(model.get(withRepeats.get(i)), slice[i - from], where + " in a slice at " + i);
    }
  }

  @Test
  void growsAndClears() {
    Random rng = new Random(7);
    PenaltyIndex index = new PenaltyIndex();
    Txid[] keys = new Txid[100_000];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = randomTxid(rng);
      index.put(keys[i], group(keys[i]));
    }
    assertEquals(keys.length, index.size());
    for (Txid t : keys) {
      assertEquals(t, index.get(t).txid());
    }
    assertNull(index.get(randomTxid(rng)));
    index.clear();
    assertEquals(0, index.size());
    assertNull(index.get(keys[0]));
    assertEquals(false, index.iterator().hasNext());
  }

  @Test
  void refusesAGroupUnderAnotherTxid() {
    Random rng = new Random(3);
    PenaltyIndex index = new PenaltyIndex();
    Txid t = randomTxid(rng);
    assertThrows(IllegalArgumentException.class, () -> index.put(t, group(randomTxid(rng))));
  }

  private static PenaltyGroup group(Txid txid) {
    return new PenaltyGroup(txid, STATUS, UUID.randomUUID(), -1, -1, false);
  }

  private static Txid randomTxid(Random rng) {
    byte[] b = new byte[32];
    rng.nextBytes(b);
    return Txid.fromDisplayBytes(b);
  }

  /** Txids whose hash codes are 0 or equal to each other's: the table must still tell them apart. */
  private static Txid collidingTxid(Random rng, int i) {
    byte[] b = new byte[32];
    rng.nextBytes(b);
    if (i % 100 == 0) {
      System.arraycopy(b, 0, b, 8, 8); // word 1 = word 0, so they cancel in the folded hash
      System.arraycopy(b, 16, b, 24, 8); // and words 2, 3 likewise: hash code 0
    } else {
      for (int k = 8; k < 16; k++) {
        b[k] = b[k - 8]; // words 0 and 1 cancel; words 2, 3 random
      }
      b[16] = 0x11; // many of these share words 2 and 3 up to a few bits
      for (int k = 17; k < 32; k++) {
        b[k] = (byte) (k == 31 ? i : 0);
      }
    }
    return Txid.fromDisplayBytes(b);
  }
}
