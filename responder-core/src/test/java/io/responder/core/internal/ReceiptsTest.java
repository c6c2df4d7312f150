package io.responder.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.BroadcastResult;
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

class ReceiptsTest {
  private final Random rng = new Random(1616);
  private final Set<Txid> seenSet = new HashSet<>();

  private Txid txid() {
    byte[] b = new byte[32];
    rng.nextBytes(b);
    return Txid.fromDisplayBytes(b);
  }

  private static Txid copyOf(Txid t) {
    return Txid.fromHex(t.toHex());
  }

  @Test
  void putAndGetByEqualTxidNotOnlyTheSameObject() {
    Receipts r = new Receipts();
    Txid a = txid();
    BroadcastResult accepted = new BroadcastResult.Accepted();
    BroadcastResult rejected = new BroadcastResult.Rejected(-26, "fee");
    assertNull(r.get(a));
    r.put(a, accepted);
    assertSame(accepted, r.get(copyOf(a)));
    r.put(copyOf(a), rejected);
    assertSame(rejected, r.get(a), "replaced, not filed twice");
    assertEquals(1, r.size());
  }

  /** A storm's worth of receipts: the table grows, and every answer stays where it can be found. */
  @Test
  void growsPastManyReceiptsAndClearsBackToEmpty() {
    Receipts r = new Receipts();
    List<Txid> txids = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      Txid t = txid();
      txids.add(t);
      r.put(t, new BroadcastResult.Rejected(i, "n" + i));
    }
    assertEquals(20_000, r.size());
    for (int i = 0; i < txids.size(); i++) {
      assertEquals(new BroadcastResult.Rejected(i, "n" + i), r.get(copyOf(txids.get(i))));
    }
    r.clear();
    assertEquals(0, r.size());
    assertTrue(txids.stream().allMatch(t -> r.get(t) == null));
    r.put(txids.get(0), new BroadcastResult.Accepted());
    assertEquals(new BroadcastResult.Accepted(), r.get(txids.get(0)));
  }

  /**
   * A batch claims a slot per fresh txid before the node answers: a txid filed already, or claimed
   * earlier in the batch, gets none; a claimed slot reads as absent until filled, and a put fills it.
   */
  @Test
  void claimedSlotsAreFilledLaterAndCountAsFiled() {
    Receipts r = new Receipts();
    Txid known = txid();
    r.put(known, new BroadcastResult.Accepted());
    List<Txid> batch = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      batch.add(txid());
    }
    r.ensureRoom(batch.size() + 2);
    int[] slots = new int[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      slots[i] = r.claim(batch.get(i));
      assertTrue(slots[i] >= 0);
    }
    assertEquals(-1, r.claim(known));
    assertEquals(-1, r.claim(copyOf(batch.get(7))), "claimed already");
    assertNull(r.get(batch.get(7)), "no answer yet");
    for (int i = 0; i < batch.size(); i++) {
      if (i != 9) {
        r.fill(slots[i], new BroadcastResult.Rejected(i, "n"));
      }
    }
    r.put(batch.get(9), new BroadcastResult.Accepted());
    assertEquals(batch.size() + 1, r.size());
    for (int i = 0; i < batch.size(); i++) {
      assertEquals(i == 9 ? new BroadcastResult.Accepted() : new BroadcastResult.Rejected(i, "n"), r.get(batch.get(i)));
    }
  }

  @Test
  void aClaimWithoutRoomIsRefused() {
    Receipts r = new Receipts();
    assertThrows(IllegalStateException.class, () -> {
      for (int i = 0; i < 10_000; i++) {
        r.claim(txid());
      }
    });
  }

  /** The same hash code, another txid: its first two 8-byte words swapped (the hash folds them by xor). */
  private static Txid sameHashOtherTxid(Txid t) {
    String hex = t.toHex();
    Txid other = Txid.fromHex(hex.substring(16, 32) + hex.substring(0, 16) + hex.substring(32));
    assertEquals(t.hashCode(), other.hashCode());
    return other;
  }

  @Test
  void txidsOfOneHashAreToldApart() {
    Receipts r = new Receipts();
    Txid a = txid();
    Txid b = sameHashOtherTxid(a);
    r.put(a, new BroadcastResult.Accepted());
    assertNull(r.get(b));
    r.ensureRoom(1);
    int receipt = r.claim(b);
    assertTrue(receipt >= 0, "another txid, though of the same hash");
    r.fill(receipt, new BroadcastResult.Rejected(-26, "b"));
    assertEquals(new BroadcastResult.Accepted(), r.get(copyOf(a)));
    assertEquals(new BroadcastResult.Rejected(-26, "b"), r.get(copyOf(b)));
    assertEquals(2, r.size());
  }

  /**
   * Puts, batches of claims filled later (some never), look-ups and clears in a random order, with
   * txids of shared hashes among them, against a map: the table answers as the map does throughout,
   * across growths and clears of both the small table and a storm's.
   */
  @Test
  void answersAsAMapDoesThroughRandomUse() {
    Receipts r = new Receipts();
    Map<Txid, BroadcastResult> model = new HashMap<>();
    List<Txid> seen = new ArrayList<>();
    for (int step = 0; step < 3_000; step++) {
      int op = rng.nextInt(100);
      if (op < 2) {
        r.clear();
        model.clear();
      } else if (op < 40) {
        Txid t = pick(seen);
        BroadcastResult answer = new BroadcastResult.Rejected(step, "p");
        r.put(t, answer);
        model.put(t, answer);
      } else if (op < 50) {
        int n = rng.nextInt(op < 45 ? 8 : 4_000);
        List<Txid> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          batch.add(pick(seen));
        }
        r.ensureRoom(n);
        List<Integer> receipts = new ArrayList<>();
        List<Txid> fresh = new ArrayList<>();
        Set<Txid> claimed = new HashSet<>();
        int[] together = rng.nextBoolean() ? claimAll(r, batch) : null; // or one claim at a time
        for (int k = 0; k < batch.size(); k++) {
          Txid t = batch.get(k);
          int receipt = together != null ? together[k] : r.claim(copyOf(t));
          boolean filed = model.containsKey(t) || claimed.contains(t);
          assertEquals(filed, receipt < 0, "claim of " + t);
          if (receipt >= 0) {
            receipts.add(receipt);
            fresh.add(t);
            claimed.add(t);
          }
        }
        for (int i = 0; i < fresh.size(); i++) {
          if (rng.nextInt(10) > 0) { // some stay claimed, unanswered: absent to get, filled by a put
            BroadcastResult answer = new BroadcastResult.Rejected(step, "b" + i);
            r.fill(receipts.get(i), answer);
            model.put(fresh.get(i), answer);
          } else {
            model.put(fresh.get(i), null);
          }
        }
      } else if (op < 60) {
        Txid t = pick(seen);
        assertEquals(model.containsKey(t), r.keyBy(groupOf(t)), "key by the group of " + t);
      } else {
        Txid t = pick(seen);
        assertEquals(model.get(t), r.get(copyOf(t)), "answer for " + t);
      }
      assertEquals(model.size(), r.size());
    }
  }

  private static PenaltyGroup groupOf(Txid t) {
    return new PenaltyGroup(copyOf(t), new StatusCodes().hold(new TrackerStatus.InMempool(1)), new UUID(1, 2), -1, -1, false);
  }

  /**
   * A receipt keyed by its penalty's group is the same receipt: found, claimed and replaced by the
   * txid, filed once; a group whose txid has no receipt (one of the same hash among them) keys none.
   */
  @Test
  void aReceiptKeyedByItsGroupAnswersForItsTxid() {
    Receipts r = new Receipts();
    Txid a = txid();
    Txid sameHash = sameHashOtherTxid(a);
    BroadcastResult accepted = new BroadcastResult.Accepted();
    r.put(a, accepted);
    assertFalse(r.keyBy(groupOf(sameHash)), "another txid of the same hash");
    assertFalse(r.keyBy(groupOf(txid())));
    PenaltyGroup g = groupOf(a);
    assertTrue(r.keyBy(g));
    assertTrue(r.keyBy(g), "keyed by the same group again");
    assertTrue(r.keyBy(groupOf(a)), "keyed by another group of the same txid");
    assertSame(accepted, r.get(copyOf(a)));
    assertNull(r.get(sameHash));
    r.ensureRoom(2);
    assertEquals(-1, r.claim(copyOf(a)), "filed already");
    int[] receipts = new int[2];
    r.claimAll(new Txid[] {copyOf(a), sameHash}, new int[] {a.hashCode(), sameHash.hashCode()}, 2, receipts);
    assertEquals(-1, receipts[0]);
    assertTrue(receipts[1] >= 0);
    BroadcastResult rejected = new BroadcastResult.Rejected(-26, "fee");
    r.put(copyOf(a), rejected);
    assertSame(rejected, r.get(a), "replaced, not filed twice");
    assertEquals(2, r.size());
  }

  /** Claims the batch's txids (copies of them) with one {@link Receipts#claimAll} call. */
  private static int[] claimAll(Receipts r, List<Txid> batch) {
    Txid[] txids = new Txid[batch.size() + 3]; // longer than n: only the first n are claimed
    int[] hashes = new int[txids.length];
    for (int k = 0; k < batch.size(); k++) {
      txids[k] = copyOf(batch.get(k));
      hashes[k] = txids[k].hashCode();
    }
    int[] receipts = new int[batch.size()];
    r.claimAll(txids, hashes, batch.size(), receipts);
    return receipts;
  }

  /**
   * A batch claimed together gets what claims one by one get: a receipt for each fresh txid, none for
   * one filed before or claimed earlier in the batch (the same txid again, or an equal copy), and
   * txids of one hash told apart; filled, each answers for its own txid.
   */
  @Test
  void aBatchClaimedTogetherIsClaimedAsOneByOne() {
    Receipts together = new Receipts();
    Receipts oneByOne = new Receipts();
    Txid filed = txid();
    together.put(filed, new BroadcastResult.Accepted());
    oneByOne.put(filed, new BroadcastResult.Accepted());
    List<Txid> batch = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      Txid t = txid();
      batch.add(t);
      if (i % 10 == 0) {
        batch.add(sameHashOtherTxid(t));
      }
      if (i % 17 == 0) {
        batch.add(copyOf(t));
      }
    }
    batch.add(500, filed);
    batch.add(batch.get(3));
    together.ensureRoom(batch.size());
    oneByOne.ensureRoom(batch.size());

    int[] receipts = claimAll(together, batch);

    for (int k = 0; k < batch.size(); k++) {
      int expected = oneByOne.claim(batch.get(k));
      assertEquals(expected, receipts[k], "the receipt of txid " + k);
      if (receipts[k] >= 0) {
        together.fill(receipts[k], new BroadcastResult.Rejected(k, "t"));
      }
    }
    assertEquals(oneByOne.size(), together.size());
    assertEquals(new BroadcastResult.Accepted(), together.get(filed));
    for (int k = 0; k < batch.size(); k++) {
      if (receipts[k] >= 0) {
        assertEquals(new BroadcastResult.Rejected(k, "t"), together.get(copyOf(batch.get(k))));
      }
    }
  }

  @Test
  void aBatchClaimedTogetherWithoutRoomIsRefused() {
    Receipts r = new Receipts();
    List<Txid> batch = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      batch.add(txid());
    }
    assertThrows(IllegalStateException.class, () -> claimAll(r, batch));
  }

  /** A txid seen before, one of the same hash as one seen before, or a new one. */
  private Txid pick(List<Txid> seen) {
    int kind = rng.nextInt(10);
    Txid t = seen.isEmpty() || kind < 3 ? txid()
        : kind < 5 ? sameHashOtherTxid(seen.get(rng.nextInt(seen.size())))
        : seen.get(rng.nextInt(seen.size()));
    if (seenSet.add(t)) {
      seen.add(t);
    }
    return t;
  }
}
