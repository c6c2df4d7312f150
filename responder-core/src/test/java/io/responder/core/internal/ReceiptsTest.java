package io.responder.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.BroadcastResult;
import io.responder.core.Txid;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReceiptsTest {
  private final Random rng = new Random(1616);

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
}
