package io.responder.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
    for (int bits = 0; bits < 8; bits++) {
      g.setListed((bits & 1) != 0);
      g.setPicked((bits & 2) != 0);
      g.setResendOwed((bits & 4) != 0);
      assertEquals(List.of((bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0),
          List.of(g.isListed(), g.isPicked(), g.isResendOwed()), "marks " + bits);
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
