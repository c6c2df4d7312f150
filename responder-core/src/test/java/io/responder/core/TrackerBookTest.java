package io.responder.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.internal.PenaltyGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The book's transitions, each seen where it files the group: a status change and its schedule
 * entry go together, and every member's store change and event is recorded.
 */
class TrackerBookTest {
  private static final ResponderConfig CONFIG = ResponderConfig.defaults();
  private static final BlockRef BLOCK_120 = new BlockRef(BlockHash.fromHex("aa".repeat(32)), 120);

  private final TrackerBook book = new TrackerBook(CONFIG);

  private PenaltyGroup twoMembers(TrackerStatus status, int disputeHeight) throws Exception {
    Breach first = TrackerCodecTest.breach().uuid(new UUID(1, 1)).subscriptionEndHeight(150).build();
    Breach second = TrackerCodecTest.breach().uuid(new UUID(2, 2)).build();
    PenaltyGroup g = book.admit(first, status, disputeHeight, null);
    assertSame(g, book.admit(second, status, disputeHeight, g));
    return g;
  }

  private Map<TrackerState, Integer> counts(int pending, int inMempool, int confirmed) {
    return Map.of(TrackerState.PENDING, pending, TrackerState.IN_MEMPOOL, inMempool, TrackerState.CONFIRMED, confirmed);
  }

  private Breach.Builder distinct;

  private PenaltyGroup admitEnding(int i, int end) throws Exception {
    if (distinct == null) {
      distinct = TrackerCodecTest.breach(); // reads the samples: once, then each breach changes its fields
    }
    RawTransaction penalty = TestTx.spending(i, TestTx.coin(i));
    Breach b = distinct.uuid(new UUID(7, i)).penaltyTxid(penalty.txid()).penaltyRawTx(penalty.bytes())
        .subscriptionEndHeight(end).build();
    return book.admit(b, new TrackerStatus.InMempool(100), 99, null);
  }

  /**
   * A bulk intake files one live subscription end per tracker: the block after it does not walk
   * every group to rebuild a schedule with nothing dead in it (a group filed twice stays twice).
   */
  @Test
  void theExpiryScheduleIsNotRebuiltAfterABulkIntake() throws Exception {
    List<PenaltyGroup> groups = new ArrayList<>();
    for (int i = 0; i < 6000; i++) {
      groups.add(admitEnding(i, 200));
    }
    book.expiryAgainAt(groups.get(0), 200);

    book.afterBlock(101);

    List<PenaltyGroup> due = book.expiriesDueBy(200);
    assertEquals(6001, due.size(), "as filed: no rebuild");
  }

  /** Once most of the schedule is dead (trackers dropped long before their end), it is rebuilt. */
  @Test
  void theExpiryScheduleIsRebuiltWhenMostlyDead() throws Exception {
    List<PenaltyGroup> groups = new ArrayList<>();
    for (int i = 0; i < 6000; i++) {
      groups.add(admitEnding(i, 200));
    }
    for (PenaltyGroup g : groups.subList(500, 6000)) {
      book.drop(g, new ChangeSet(), ChangeSet.EXPIRED, BLOCK_120);
    }

    book.afterBlock(101);

    List<PenaltyGroup> due = book.expiriesDueBy(200);
    assertEquals(500, due.size(), "only the live groups are left");
    assertTrue(due.containsAll(groups.subList(0, 500)));
  }

  @Test
  void everyTransitionKeepsTheCountsByState() throws Exception {
    PenaltyGroup g = twoMembers(new TrackerStatus.Pending(100), 99);
    assertEquals(counts(2, 0, 0), book.countsByState());
    Breach third = TrackerCodecTest.breach().uuid(new UUID(3, 3)).subscriptionEndHeight(130).build();
    book.admit(third, new TrackerStatus.InMempool(101), 99, g); // joining moves the others with it
    assertEquals(counts(0, 3, 0), book.countsByState());

    book.confirm(g, BLOCK_120, new ChangeSet());
    assertEquals(counts(0, 0, 3), book.countsByState());
    book.unconfirm(g, new TrackerStatus.InMempool(118), new ChangeSet());
    assertEquals(counts(0, 3, 0), book.countsByState());
    book.expireMembers(g, new BlockRef(BLOCK_120.hash(), 140), new ChangeSet()); // the third's subscription ended
    assertEquals(counts(0, 2, 0), book.countsByState());
    book.becomePending(g, 141, new ChangeSet());
    assertEquals(counts(2, 0, 0), book.countsByState());
    book.drop(g, new ChangeSet(), ChangeSet.EXPIRED, BLOCK_120);
    assertEquals(counts(0, 0, 0), book.countsByState());

    twoMembers(new TrackerStatus.InMempool(100), 99);
    book.clear();
    assertEquals(counts(0, 0, 0), book.countsByState());
  }

  @Test
  void confirmingFilesTheCompletionAndRecordsEveryMember() throws Exception {
    PenaltyGroup g = twoMembers(new TrackerStatus.Pending(100), 99);
    assertTrue(book.isFiledPending(g));
    ChangeSet ch = new ChangeSet();

    book.confirm(g, BLOCK_120, ch);

    assertEquals(new TrackerStatus.Confirmed(BLOCK_120), book.status(g));
    assertFalse(book.isFiledPending(g));
    assertEquals(List.of(), book.completionsDueBy(119));
    assertEquals(List.of(g), book.completionsDueBy(120));
    StoreUpdate update = ch.toUpdate(Optional.empty());
    assertEquals(Map.of(new UUID(1, 1), book.status(g), new UUID(2, 2), book.status(g)), update.statusChanges());
    List<UUID> confirmed = new ArrayList<>();
    ch.fire(new ResponderListener() {
      @Override
      public void penaltyConfirmed(UUID uuid, Txid penaltyTxid, BlockRef block) {
        confirmed.add(uuid);
      }
    });
    assertEquals(List.of(new UUID(1, 1), new UUID(2, 2)), confirmed);
  }

  @Test
  void unconfirmingSchedulesTheRebroadcastAndRefilesExpiries() throws Exception {
    PenaltyGroup g = twoMembers(new TrackerStatus.Confirmed(BLOCK_120), 99);
    book.expiriesDueBy(150); // takes the entry admit filed
    ChangeSet ch = new ChangeSet();

    book.unconfirm(g, new TrackerStatus.InMempool(118), ch);

    assertEquals(new TrackerStatus.InMempool(118), book.status(g));
    assertEquals(List.of(), book.rebroadcastsDueBy(118 + CONFIG.rebroadcastAfterMissed() - 1));
    assertEquals(List.of(g), book.rebroadcastsDueBy(118 + CONFIG.rebroadcastAfterMissed()));
    assertEquals(List.of(g), book.expiriesDueBy(150), "the subscription end is filed again");
  }

  @Test
  void pendingAndAcceptedMoveTheGroupBetweenThePendingSetAndTheRebroadcastSchedule() throws Exception {
    PenaltyGroup g = twoMembers(new TrackerStatus.InMempool(100), 99);
    book.rebroadcastsDueBy(Integer.MAX_VALUE); // the admit entry

    book.becomePending(g, 110, new ChangeSet());
    assertEquals(List.of(g), book.pendingGroups());
    assertEquals(new TrackerStatus.Pending(110), book.status(g));

    book.acceptedAt(g, 111, new ChangeSet());
    assertEquals(List.of(), book.pendingGroups());
    assertEquals(new TrackerStatus.InMempool(111), book.status(g));
    assertEquals(List.of(g), book.rebroadcastsDueBy(111 + CONFIG.rebroadcastAfterMissed()));
  }

  @Test
  void acceptedStatusesOfOneHeightAreOneObject() {
    assertSame(book.inMempoolSince(7), book.inMempoolSince(7));
  }

  @Test
  void droppingRemovesEveryMemberAndKillsTheGroup() throws Exception {
    PenaltyGroup g = twoMembers(new TrackerStatus.Pending(100), 99);
    ChangeSet ch = new ChangeSet();
    List<UUID> told = new ArrayList<>();

    book.drop(g, ch, ChangeSet.COMPLETED, BLOCK_120);
    ch.fire(new ResponderListener() {
      @Override
      public void trackerCompleted(UUID uuid, Txid penaltyTxid, BlockRef tip) {
        assertEquals(g.txid(), penaltyTxid);
        assertEquals(BLOCK_120, tip);
        told.add(uuid);
      }
    });

    assertFalse(g.isLive());
    assertNull(book.get(g.txid()));
    assertEquals(List.of(), book.pendingGroups());
    assertEquals(Set.of(new UUID(1, 1), new UUID(2, 2)), ch.toUpdate(Optional.empty()).removed());
    assertEquals(List.of(new UUID(1, 1), new UUID(2, 2)), told);
  }

  @Test
  void onlyMembersWhoseSubscriptionEndedExpire() throws Exception {
    PenaltyGroup g = twoMembers(new TrackerStatus.InMempool(100), 99);
    ChangeSet ch = new ChangeSet();

    book.expireMembers(g, new BlockRef(BLOCK_120.hash(), 150), ch);

    assertEquals(1, g.size());
    assertEquals(new UUID(2, 2), g.uuid(0));
    assertTrue(g.isLive());
    assertEquals(Set.of(new UUID(1, 1)), ch.toUpdate(Optional.empty()).removed());
  }

  @Test
  void aDisputeWhoseHeightIsUnknownIsLearntFromTheBlockThatHoldsIt() throws Exception {
    PenaltyGroup g = twoMembers(new TrackerStatus.InMempool(100), -1);
    Txid dispute = Txid.fromHex(TrackerCodecTest.DISPUTE);
    assertTrue(book.awaitsDisputes());

    book.learnDisputeHeight(Txid.fromHex("bb".repeat(32)), 130); // another transaction
    assertEquals(-1, g.disputeHeight());
    book.learnDisputeHeight(dispute, 131);

    assertEquals(131, g.disputeHeight());
    assertFalse(book.awaitsDisputes());
    assertEquals(List.of(g), book.disputesAbove(130));

    book.forgetDisputeHeight(g, dispute); // its block disconnected again
    assertEquals(-1, g.disputeHeight());
    book.learnDisputeHeight(dispute, 133);
    assertEquals(133, g.disputeHeight());
  }

  @Test
  void aStoreWhoseTrackersOfOnePenaltyDisagreeIsRefusedAtLoad() throws Exception {
    Breach first = TrackerCodecTest.breach().uuid(new UUID(1, 1)).build();
    Breach second = TrackerCodecTest.breach().uuid(new UUID(2, 2)).build();
    book.load(TransactionTracker.of(first, java.util.OptionalInt.of(99), new TrackerStatus.InMempool(100)), 120);

    IllegalStateException e = assertThrows(IllegalStateException.class, () -> book.load(
        TransactionTracker.of(second, java.util.OptionalInt.of(99), new TrackerStatus.Pending(100)), 120));
    assertTrue(e.getMessage().contains("different statuses"), e.getMessage());
  }
}
