package io.responder.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.TrackerState;
import io.responder.core.TrackerStatus;
import io.responder.core.Txid;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class StatusCodesTest {
  private static TrackerStatus randomStatus(Random rng) {
    int height = rng.nextInt(12);
    return switch (rng.nextInt(3)) {
      case 0 -> new TrackerStatus.Pending(height);
      case 1 -> new TrackerStatus.InMempool(height);
      default -> new TrackerStatus.Confirmed(new BlockRef(BlockHash.fromHex(
          Integer.toHexString(rng.nextInt(2) + 10).repeat(64)), height));
    };
  }

  /**
   * Holders of codes taken and given up at random, against a model of who holds what: every code
   * gives its status back and carries its state while held, equal statuses share a code, and a
   * status no longer held leaves the table.
   */
  @Test
  void codesAgreeWithAModelThroughRandomHoldsAndReleases() {
    long seed = new Random().nextLong();
    Random rng = new Random(seed);
    StatusCodes codes = new StatusCodes();
    List<TrackerStatus> heldStatuses = new ArrayList<>();
    List<Integer> heldCodes = new ArrayList<>();
    TrackerStatus lastHeld = null;
    for (int step = 0; step < 20_000; step++) {
      if (heldCodes.isEmpty() || rng.nextInt(10) < 5) {
        // Often the very object held last, as a block's confirmations are, held or let go since.
        TrackerStatus s = lastHeld != null && rng.nextBoolean() ? lastHeld : randomStatus(rng);
        lastHeld = s;
        int code = codes.hold(s);
        int i = heldStatuses.indexOf(s);
        if (i >= 0) {
          assertEquals(heldCodes.get(i), code, "an equal status held shares its code, seed " + seed);
        }
        heldStatuses.add(s);
        heldCodes.add(code);
      } else {
        int i = rng.nextInt(heldCodes.size());
        codes.release(heldCodes.remove(i));
        heldStatuses.remove(i);
      }
      if (step % 100 == 0 || heldCodes.size() < 3) {
        for (int i = 0; i < heldCodes.size(); i++) {
          int code = heldCodes.get(i);
          assertEquals(heldStatuses.get(i), codes.status(code), "seed " + seed);
          assertEquals(heldStatuses.get(i).state(), StatusCodes.stateOf(code), "seed " + seed);
        }
        assertEquals(new HashSet<>(heldStatuses).size(), codes.size(), "seed " + seed);
      }
    }
  }

  @Test
  void aStatusNoGroupHoldsIsGoneAndItsCodeGoesToTheNext() {
    StatusCodes codes = new StatusCodes();
    TrackerStatus first = new TrackerStatus.InMempool(5);
    int code = codes.hold(first);
    assertSame(first, codes.status(codes.hold(new TrackerStatus.InMempool(5))), "the object first held");
    codes.release(code);
    assertEquals(first, codes.status(code), "one holder left");
    codes.release(code);

    assertThrows(IllegalStateException.class, () -> codes.status(code));
    assertThrows(IllegalStateException.class, () -> codes.release(code));
    assertEquals(0, codes.size());
    TrackerStatus next = new TrackerStatus.Pending(7);
    int reused = codes.hold(next);
    assertNotEquals(code, reused, "another state, another code, though the same slot");
    assertEquals(next, codes.status(reused));
    assertEquals(TrackerState.PENDING, StatusCodes.stateOf(reused));
    int again = codes.hold(first); // the object held before next, its slot now next's
    assertEquals(first, codes.status(again));
    assertEquals(next, codes.status(reused));
  }

  @Test
  void aStatusHeldLastUnderAnEqualObjectIsForgottenWithIt() {
    StatusCodes codes = new StatusCodes();
    TrackerStatus first = new TrackerStatus.Pending(4);
    TrackerStatus equal = new TrackerStatus.Pending(4); // as each refusal makes its own
    int code = codes.hold(first);
    assertEquals(code, codes.hold(equal));
    codes.release(code);
    codes.release(code);
    assertEquals(equal, codes.status(codes.hold(equal)), "held again as new");
    assertEquals(1, codes.size());
  }

  @Test
  void aDroppedGroupHasNoStatusToRead() {
    StatusCodes codes = new StatusCodes();
    PenaltyGroup g = new PenaltyGroup(Txid.fromDisplayBytes(new byte[32]), codes.hold(new TrackerStatus.InMempool(1)),
        new UUID(1, 2), -1, -1, false);
    assertEquals(TrackerState.IN_MEMPOOL, g.state());
    codes.release(g.statusCode());
    g.kill();

    assertEquals(false, g.isLive());
    assertThrows(IllegalStateException.class, g::state);
    assertThrows(IllegalStateException.class, () -> codes.status(g.statusCode()));
    assertThrows(IllegalStateException.class, () -> g.setStatusCode(StatusCodes.DROPPED), "dropping is kill's");
  }

  @Test
  void verifyFindsAGroupHoldingACodeTheTableDoesNotCount() {
    StatusCodes codes = new StatusCodes();
    TrackerStatus status = new TrackerStatus.Pending(3);
    List<PenaltyGroup> groups = new ArrayList<>();
    Map<Integer, Integer> byCode = new HashMap<>();
    for (int i = 0; i < 3; i++) {
      byte[] txid = new byte[32];
      txid[0] = (byte) i;
      int code = codes.hold(status);
      byCode.merge(code, 1, Integer::sum);
      groups.add(new PenaltyGroup(Txid.fromDisplayBytes(txid), code, new UUID(i, i), -1, -1, false));
    }
    codes.verify(groups);

    codes.release(groups.get(0).statusCode()); // released but still held by the group
    assertThrows(IllegalStateException.class, () -> codes.verify(groups));
    codes.hold(status);
    codes.verify(groups);
    groups.get(2).setStatusCode(codes.hold(new TrackerStatus.InMempool(3))); // the old code never released
    assertThrows(IllegalStateException.class, () -> codes.verify(groups));
    assertEquals(Map.of(groups.get(0).statusCode(), 3), byCode);
  }

  @Test
  void clearForgetsEveryStatus() {
    StatusCodes codes = new StatusCodes();
    int code = codes.hold(new TrackerStatus.InMempool(9));
    codes.clear();
    assertEquals(0, codes.size());
    assertThrows(IllegalStateException.class, () -> codes.status(code));
    TrackerStatus again = new TrackerStatus.InMempool(9);
    assertSame(again, codes.status(codes.hold(again)), "held anew, not the object of before");
  }
}
