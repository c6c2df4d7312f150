package io.responder.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.TrackerStatus;
import io.responder.core.Txid;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PenaltyGroupTest {
  @Test
  void eachMarkIsSetAndClearedAloneInEveryCombination() {
    PenaltyGroup g = new PenaltyGroup(Txid.fromDisplayBytes(new byte[32]), new StatusCodes().hold(new TrackerStatus.InMempool(1)),
        new UUID(1, 2), -1, -1, false);
    for (int bits = 0; bits < 4; bits++) {
      g.setPicked((bits & 1) != 0);
      g.setResendOwed((bits & 2) != 0);
      assertEquals(List.of((bits & 1) != 0, (bits & 2) != 0), List.of(g.isPicked(), g.isResendOwed()), "marks " + bits);
    }
  }

  /**
   * The group keeps its txid as words: it gives back an equal txid of the same hash, and tells it
   * apart from txids that differ in any one word, or only in the word the hash folds away.
   */
  @Test
  void keepsItsTxidAsItsWords() {
    Random rng = new Random(88);
    int code = new StatusCodes().hold(new TrackerStatus.InMempool(1));
    for (int n = 0; n < 200; n++) {
      byte[] bytes = new byte[32];
      rng.nextBytes(bytes);
      Txid t = Txid.fromDisplayBytes(bytes);
      PenaltyGroup g = new PenaltyGroup(t, code, new UUID(1, 2), -1, -1, false);
      assertEquals(t, g.txid());
      assertEquals(t.hashCode(), g.txidHash());
      assertTrue(g.hasTxid(Txid.fromHex(t.toHex())));
      for (int w = 0; w < 4; w++) {
        long[] words = {t.word(0), t.word(1), t.word(2), t.word(3)};
        words[w] ^= 1L << rng.nextInt(64);
        Txid other = Txid.fromWords(words[0], words[1], words[2], words[3]);
        assertFalse(g.hasTxid(other), "differs in word " + w);
      }
      // Two words swapped: the same hash, another txid.
      Txid swapped = Txid.fromWords(t.word(1), t.word(0), t.word(2), t.word(3));
      assertEquals(g.txidHash(), swapped.hashCode());
      assertEquals(t.word(0) == t.word(1), g.hasTxid(swapped));
    }
  }

  @Test
  void membersAgreeWithAListThroughRandomAddsAndRemovals() {
    long seed = new Random().nextLong();
    Random rng = new Random(seed);
    byte[] txid = new byte[32];
    rng.nextBytes(txid);
    UUID first = new UUID(rng.nextLong(), rng.nextLong());
    PenaltyGroup g = new PenaltyGroup(Txid.fromDisplayBytes(txid), new StatusCodes().hold(new TrackerStatus.InMempool(1)), first, 7, -1, false);
    List<UUID> model = new ArrayList<>(List.of(first));
    Map<UUID, Integer> expiry = new HashMap<>(Map.of(first, 7));
    for (int step = 0; step < 5_000; step++) {
      if (model.isEmpty() || rng.nextInt(5) < 3) {
        UUID u = new UUID(rng.nextLong(), rng.nextLong());
        int end = rng.nextBoolean() ? -1 : rng.nextInt(1_000_000);
        g.add(u, end);
        model.add(u);
        expiry.put(u, end);
      } else {
        UUID u = model.remove(rng.nextInt(model.size()));
        int i = g.indexOf(u);
        assertEquals(u, g.uuid(i), "seed " + seed);
        g.removeAt(i);
        assertEquals(-1, g.indexOf(u), "seed " + seed);
      }
      assertEquals(model.size(), g.size(), "seed " + seed);
    }
    for (UUID u : model) {
      int i = g.indexOf(u);
      assertEquals(u, g.uuid(i), "seed " + seed);
      assertEquals(expiry.get(u), g.expiry(i), "seed " + seed);
    }
  }
}
