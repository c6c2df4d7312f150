package io.responder.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.internal.PenaltyGroup;
import io.responder.core.internal.StatusCodes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A change set records status changes per penalty group and turns them into the per-tracker map a
 * store applies: each member of a live group once, with the group's last recorded status, and none
 * of a member removed meanwhile.
 */
class ChangeSetTest {
  private static final TrackerStatus.InMempool AT_100 = new TrackerStatus.InMempool(100);
  private static final TrackerStatus.InMempool AT_106 = new TrackerStatus.InMempool(106);
  private static final TrackerStatus.Confirmed CONFIRMED =
      new TrackerStatus.Confirmed(new BlockRef(BlockHash.fromHex("ab".repeat(32)), 107));
  private static final BlockRef BLOCK = new BlockRef(BlockHash.fromHex("cd".repeat(32)), 108);

  private static PenaltyGroup group(long first, int members) throws Exception {
    Breach b = TrackerCodecTest.breach().build();
    PenaltyGroup g = new PenaltyGroup(b.penaltyTxid(), new StatusCodes().hold(AT_100), new UUID(first, first), -1, 99, false);
    for (int i = 1; i < members; i++) {
      g.add(new UUID(first, first + i), 150 + i);
    }
    return g;
  }

  /**
   * Rebroadcast events are kept as runs of arrays, not an object per tracker: the listener still
   * hears every member of every group, in the order recorded among the other events, and one that
   * throws loses only its own event.
   */
  @Test
  void resentEventsKeepTheirOrderAmongTheOthersAndFailAlone() throws Exception {
    PenaltyGroup g = group(1, 2);
    PenaltyGroup h = group(10, 1);
    PenaltyGroup k = group(20, 1);
    BroadcastResult accepted = new BroadcastResult.Accepted();
    BroadcastResult refused = new BroadcastResult.Rejected(-26, "fee");
    ChangeSet ch = new ChangeSet();
    ch.resent(g, g.txid(), ResendReason.MISSED_BLOCKS, accepted);
    ch.resent(h, h.txid(), ResendReason.MISSED_BLOCKS, refused);
    ch.event(l -> l.trackerExpired(new UUID(30, 30), k.txid(), null));
    ch.resent(k, k.txid(), ResendReason.MISSED_BLOCKS, accepted);
    ch.resent(h, h.txid(), ResendReason.PENDING_RETRY, accepted);
    List<String> heard = new java.util.ArrayList<>();

    ch.fire(new ResponderListener() {
      @Override
      public void penaltyResent(UUID uuid, Txid penaltyTxid, ResendReason reason, BroadcastResult result) {
        heard.add(uuid.getLeastSignificantBits() + " " + reason + " " + result.getClass().getSimpleName());
        if (uuid.getLeastSignificantBits() == 1) {
          throw new IllegalStateException("the listener's own bug");
        }
      }

      @Override
      public void trackerExpired(UUID uuid, Txid penaltyTxid, BlockRef tip) {
        heard.add(uuid.getLeastSignificantBits() + " expired");
      }
    });

    assertEquals(List.of("1 MISSED_BLOCKS Accepted", "2 MISSED_BLOCKS Accepted", "10 MISSED_BLOCKS Rejected",
        "30 expired", "20 MISSED_BLOCKS Accepted", "10 PENDING_RETRY Accepted"), heard);
    assertFalse(ch.isEmpty());
  }

  /**
   * Confirmations, completions, expiries and rejections are kept as runs too, one run per kind of
   * consecutive events: each member still hears its own event with its group's txid and the
   * argument given, in the order recorded (a listener that throws at every one loses none of the
   * others: each kind is told in a loop of its own), and the removed members are the update's
   * removed set.
   */
  @Test
  void memberEventsOfEachKindCarryTheirTxidAndArgumentInOrder() throws Exception {
    PenaltyGroup confirmed = group(1, 2);
    PenaltyGroup completed = group(10, 2);
    PenaltyGroup expiring = group(20, 3);
    PenaltyGroup rejected = group(30, 1);
    BroadcastResult.Rejected rejection = new BroadcastResult.Rejected(-26, "bad");
    Txid other = Txid.fromHex("0f".repeat(32));
    ChangeSet ch = new ChangeSet();
    ch.members(confirmed, confirmed.txid(), ChangeSet.CONFIRMED, CONFIRMED.block());
    ch.removeAll(completed, other, ChangeSet.COMPLETED, BLOCK);
    completed.kill();
    for (long lsb : new long[] {22, 20}) {
      int i = expiring.indexOf(new UUID(20, lsb));
      ch.remove(expiring, i, expiring.txid(), ChangeSet.EXPIRED, BLOCK);
      expiring.removeAt(i);
    }
    ch.event(l -> l.trackerAdded(null));
    ch.removeAll(rejected, rejected.txid(), ChangeSet.REJECTED, rejection);
    rejected.kill();
    List<String> heard = new java.util.ArrayList<>();

    ch.fire(new ResponderListener() {
      @Override
      public void penaltyConfirmed(UUID uuid, Txid penaltyTxid, BlockRef block) {
        assertEquals(confirmed.txid(), penaltyTxid);
        heard.add(uuid.getLeastSignificantBits() + " confirmed " + block.height());
        throw new IllegalStateException("the listener's own bug");
      }

      @Override
      public void trackerCompleted(UUID uuid, Txid penaltyTxid, BlockRef tip) {
        assertEquals(other, penaltyTxid);
        heard.add(uuid.getLeastSignificantBits() + " completed " + tip.height());
        throw new IllegalStateException("the listener's own bug");
      }

      @Override
      public void trackerExpired(UUID uuid, Txid penaltyTxid, BlockRef tip) {
        assertEquals(expiring.txid(), penaltyTxid);
        heard.add(uuid.getLeastSignificantBits() + " expired " + tip.height());
        throw new IllegalStateException("the listener's own bug");
      }

      @Override
      public void trackerAdded(TransactionTracker tracker) {
        heard.add("added");
      }

      @Override
      public void breachRejected(UUID uuid, Txid penaltyTxid, BroadcastResult.Rejected r) {
        assertSame(rejection, r);
        heard.add(uuid.getLeastSignificantBits() + " rejected");
        throw new IllegalStateException("the listener's own bug");
      }
    });

    assertEquals(List.of("1 confirmed 107", "2 confirmed 107", "10 completed 108", "11 completed 108",
        "22 expired 108", "20 expired 108", "added", "30 rejected"), heard);
    Set<UUID> removed = ch.toUpdate(Optional.empty()).removed();
    assertEquals(Set.of(new UUID(10, 10), new UUID(10, 11), new UUID(20, 22), new UUID(20, 20), new UUID(30, 30)),
        removed);
    assertEquals(5, removed.size());
    assertTrue(removed.contains(new UUID(20, 22)));
    assertFalse(removed.contains(new UUID(20, 21)), "the member left in its group");
    assertThrows(UnsupportedOperationException.class, () -> removed.add(new UUID(5, 5)));
  }

  @Test
  void everyMemberGetsTheLastStatusRecordedForItsGroup() throws Exception {
    PenaltyGroup g = group(1, 3);
    PenaltyGroup h = group(10, 1);
    ChangeSet ch = new ChangeSet();

    ch.status(g, AT_106);
    ch.status(h, CONFIRMED);
    ch.status(g, CONFIRMED);
    StoreUpdate update = ch.toUpdate(Optional.empty());

    Map<UUID, TrackerStatus> expected = Map.of(new UUID(1, 1), CONFIRMED, new UUID(1, 2), CONFIRMED,
        new UUID(1, 3), CONFIRMED, new UUID(10, 10), CONFIRMED);
    assertEquals(expected, update.statusChanges());
    assertEquals(expected, new HashMap<>(update.statusChanges()), "iteration gives each tracker once");
    assertEquals(expected.hashCode(), update.statusChanges().hashCode());
    assertEquals(CONFIRMED, update.statusChanges().get(new UUID(1, 2)));
    assertNull(update.statusChanges().get(new UUID(1, 4)));
    assertEquals(4, update.statusChanges().size(), "the earlier entry of g is replaced, not kept beside");
    assertThrows(UnsupportedOperationException.class, () -> update.statusChanges().put(new UUID(5, 5), AT_100));
  }

  @Test
  void removedMembersAndDroppedGroupsChangeNoStatus() throws Exception {
    PenaltyGroup g = group(1, 3);
    PenaltyGroup dropped = group(20, 2);
    ChangeSet ch = new ChangeSet();

    ch.status(g, AT_106);
    ch.status(dropped, AT_106);
    int i = g.indexOf(new UUID(1, 2));
    ch.remove(g, i, g.txid(), ChangeSet.EXPIRED, BLOCK);
    g.removeAt(i);
    ch.removeAll(dropped, dropped.txid(), ChangeSet.COMPLETED, BLOCK);
    dropped.kill();
    StoreUpdate update = ch.toUpdate(Optional.empty());

    assertEquals(Map.of(new UUID(1, 1), AT_106, new UUID(1, 3), AT_106), update.statusChanges());
    assertEquals(Set.of(new UUID(1, 2), new UUID(20, 20), new UUID(20, 21)), update.removed());
  }

  /**
   * The members a status is recorded for are those of the group then, less those removed since: one
   * that joins afterwards is not among them (the Responder lets none join before the commit), and
   * the removals that follow still find theirs, though the group's order and the entry's parted.
   */
  @Test
  void aStatusIsForTheMembersOfTheMomentLessThoseRemovedSince() throws Exception {
    PenaltyGroup g = group(1, 3); // (1,1), (1,2), (1,3)
    ChangeSet ch = new ChangeSet();
    ch.status(g, AT_106);
    g.add(new UUID(1, 9), -1); // the group: 1, 2, 3, 9
    for (long lsb : new long[] {1, 3}) { // the group's last takes each removed member's place
      int i = g.indexOf(new UUID(1, lsb));
      ch.remove(g, i, g.txid(), ChangeSet.EXPIRED, BLOCK);
      g.removeAt(i);
    }
    StoreUpdate update = ch.toUpdate(Optional.empty());

    assertEquals(Map.of(new UUID(1, 2), AT_106), update.statusChanges());
    assertEquals(Set.of(new UUID(1, 1), new UUID(1, 3)), update.removed());
  }

  @Test
  void statusesRecordedWhenTheUpdateIsMadeStayAsTheyWere() throws Exception {
    PenaltyGroup g = group(1, 1);
    ChangeSet ch = new ChangeSet();
    ch.status(g, AT_106);
    StoreUpdate update = ch.toUpdate(Optional.empty());

    g.add(new UUID(1, 9), -1); // a member joining after the commit, as an intake does
    g.setStatusCode(new StatusCodes().hold(CONFIRMED));

    assertEquals(Map.of(new UUID(1, 1), AT_106), update.statusChanges());
  }

  @Test
  void anUpdateMadeOfOtherPartsIsCheckedAndCopied() throws Exception {
    PenaltyGroup g = group(1, 2);
    ChangeSet ch = new ChangeSet();
    ch.status(g, AT_106);
    StoreUpdate mine = ch.toUpdate(Optional.empty());
    assertSame(mine.statusChanges(), new StoreUpdate(mine.added(), mine.statusChanges(), mine.removed(),
        Optional.empty()).statusChanges(), "a change set's own parts are taken as they are");

    StoreUpdate rebuilt = new StoreUpdate(List.of(), mine.statusChanges(), Set.of(), Optional.empty());
    assertNotSame(mine.statusChanges(), rebuilt.statusChanges());
    assertEquals(mine.statusChanges(), rebuilt.statusChanges());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new StoreUpdate(List.of(), mine.statusChanges(), Set.of(new UUID(1, 2)), Optional.empty()));
    assertTrue(e.getMessage().contains("removed"), e.getMessage());
  }

  /**
   * Against a model, through random changes: the trackers come out once each, with their group's
   * last status, in the order of each group's last change, members in their order; members removed
   * and groups dropped meanwhile are left out. A member that joins its group after the change is
   * not in it (the Responder never lets one join before the commit: the model checks that the rule
   * holds anyway, with the order of such a group's members left free).
   */
  @Test
  void trackersComeOutInTheOrderOfTheirGroupsLastChange() throws Exception {
    for (long seed = 1; seed <= 50; seed++) {
      Random random = new Random(seed);
      List<PenaltyGroup> groups = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        groups.add(group(100L * (i + 1), 1 + (random.nextInt(4) == 0 ? random.nextInt(6) : 0)));
      }
      List<TrackerStatus> statuses = List.of(AT_100, AT_106, CONFIRMED);
      ChangeSet ch = new ChangeSet();
      Map<PenaltyGroup, Integer> lastChange = new HashMap<>();
      Map<PenaltyGroup, TrackerStatus> lastStatus = new HashMap<>();
      Map<PenaltyGroup, Set<UUID>> membersThen = new HashMap<>();
      Set<PenaltyGroup> joined = new HashSet<>();
      int changes = 1 + random.nextInt(80);
      for (int c = 0; c < changes; c++) {
        PenaltyGroup g = groups.get(random.nextInt(groups.size()));
        if (!g.isLive()) {
          continue;
        }
        switch (random.nextInt(7)) {
          case 0 -> {
            ch.removeAll(g, g.txid(), ChangeSet.COMPLETED, BLOCK);
            g.kill();
          }
          case 1 -> {
            if (g.size() > 1) {
              int i = random.nextInt(g.size());
              ch.remove(g, i, g.txid(), ChangeSet.EXPIRED, BLOCK);
              g.removeAt(i);
            }
          }
          case 2 -> {
            for (int j = random.nextInt(4); j >= 0; j--) {
              g.add(new UUID(g.uuid(0).getMostSignificantBits(), 1_000L * (c + 1) + j), -1);
            }
            joined.add(g);
          }
          default -> {
            TrackerStatus s = statuses.get(random.nextInt(statuses.size()));
            ch.status(g, s);
            lastChange.put(g, c);
            lastStatus.put(g, s);
            Set<UUID> then = new HashSet<>();
            for (int i = 0; i < g.size(); i++) {
              then.add(g.uuid(i));
            }
            membersThen.put(g, then);
            joined.remove(g);
          }
        }
      }
      List<Map.Entry<UUID, TrackerStatus>> expected = new ArrayList<>();
      lastChange.entrySet().stream().sorted(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
          .filter(PenaltyGroup::isLive)
          .forEach(g -> {
            List<UUID> members = new ArrayList<>();
            for (int i = 0; i < g.size(); i++) {
              if (membersThen.get(g).contains(g.uuid(i))) {
                members.add(g.uuid(i));
              }
            }
            if (joined.contains(g)) {
              members.sort(null); // members joined after the change: their order is left free
            }
            members.forEach(u -> expected.add(Map.entry(u, lastStatus.get(g))));
          });

      List<Map.Entry<UUID, TrackerStatus>> actual = new ArrayList<>();
      ch.toUpdate(Optional.empty()).statusChanges().forEach((u, s) -> actual.add(Map.entry(u, s)));
      // Within each group that a member joined after its last change, in uuid order, as above.
      for (int from = 0; from < actual.size(); ) {
        long msb = actual.get(from).getKey().getMostSignificantBits();
        int to = from;
        while (to < actual.size() && actual.get(to).getKey().getMostSignificantBits() == msb) {
          to++;
        }
        PenaltyGroup g = groups.get((int) (msb / 100) - 1);
        if (joined.contains(g)) {
          actual.subList(from, to).sort(Map.Entry.comparingByKey());
        }
        from = to;
      }

      assertEquals(expected, actual, "seed " + seed);
    }
  }
}
