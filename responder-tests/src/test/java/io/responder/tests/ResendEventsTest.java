package io.responder.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.Block;
import io.responder.core.BroadcastResult;
import io.responder.core.ResendReason;
import io.responder.core.ResponderConfig;
import io.responder.core.ResponderListener;
import io.responder.core.Txid;
import io.responder.testkit.Appointment;
import io.responder.testkit.RecordingListener.Event;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code penaltyResent} says why a penalty was sent again, so a host can tell a real resend from a
 * retry that never reached the node; and the events of one block come in the order the listener's
 * javadoc documents, whatever trackers they concern.
 */
class ResendEventsTest {
  private static final BroadcastResult FULL_MEMPOOL = new BroadcastResult.RejectedForNow(-26, "mempool full");

  Harness h = new Harness();

  @AfterEach
  void invariants() {
    h.checkInvariants();
  }

  @Test
  void aPenaltyThatMissedBlocksIsResentForThatReason() {
    Appointment a = h.breachedAppointment();
    h.handOver(a);
    h.chain.dropFromMempool(a.penalty().txid());
    h.mineEmptyAndDeliver(h.config.rebroadcastAfterMissed());

    assertEquals(List.of(new Event.Resent(a.uuid(), a.penalty().txid(), ResendReason.MISSED_BLOCKS,
        new BroadcastResult.Accepted())), h.events.events(Event.Resent.class));
  }

  @Test
  void aReorganisationThatTakesTheConfirmationAwayResendsForThatReason() {
    Appointment a = h.breachedAppointment();
    h.handOver(a);
    h.mineAndDeliver();
    h.chain.disconnect(1);
    List<Block> branch = h.chain.mineEmpty(2);
    h.deliver(branch.get(1));

    List<Event.Resent> resent = h.events.events(Event.Resent.class);
    assertEquals(1, resent.size(), resent.toString());
    assertEquals(ResendReason.REORGANISED, resent.get(0).reason());
    assertInstanceOf(BroadcastResult.Accepted.class, resent.get(0).result());
  }

  @Test
  void aRetryThatNeverReachedTheNodeIsAPendingRetryWithNodeUnavailable() {
    Appointment a = h.breachedAppointment();
    h.chain.nodeDownForBlocks(2);
    h.handOver(a); // the node is down: pending
    h.mineEmptyAndDeliver(1); // retried: still down
    h.mineEmptyAndDeliver(1); // retried: the node is back and takes it

    List<Event.Resent> resent = h.events.events(Event.Resent.class);
    assertEquals(List.of(ResendReason.PENDING_RETRY, ResendReason.PENDING_RETRY),
        resent.stream().map(Event.Resent::reason).toList());
    assertInstanceOf(BroadcastResult.NodeUnavailable.class, resent.get(0).result(), "never reached the node");
    assertInstanceOf(BroadcastResult.Accepted.class, resent.get(1).result(), "the first send that reached it");
  }

  @Test
  void aPenaltyNearItsDeadlineWithNoLadderIsResentAtRiskOnEveryBlock() {
    Appointment a = Appointment.random(h.rng);
    Block disputeBlock = h.deliver(h.chain.mineTransactions(a.dispute()));
    h.responder.handleBreach(a.breachBuilder(disputeBlock.hash()).toSelfDelay(14).build());
    h.mineEmptyAndDeliver(4); // 14 - 4 = 10 blocks left: inside the default window of 12

    List<Event.AtRisk> atRisk = h.events.events(Event.AtRisk.class);
    assertEquals(1, atRisk.size());
    List<Event.Resent> resent = h.events.events(Event.Resent.class);
    assertTrue(resent.size() >= 2, resent.toString());
    assertTrue(resent.stream().allMatch(r -> r.reason() == ResendReason.AT_RISK), resent.toString());
  }

  @Test
  void aListenerWrittenBeforeTheReasonExistedIsStillToldThroughPenaltyRebroadcast() {
    List<Txid> old = Collections.synchronizedList(new ArrayList<>());
    List<ResendReason> current = Collections.synchronizedList(new ArrayList<>());
    ResponderListener before = new ResponderListener() {
      @Override
      public void penaltyRebroadcast(UUID uuid, Txid penaltyTxid, BroadcastResult result) {
        old.add(penaltyTxid);
      }
    };
    ResponderListener both = new ResponderListener() {
      @Override
      public void penaltyRebroadcast(UUID uuid, Txid penaltyTxid, BroadcastResult result) {
        throw new AssertionError("a listener overriding penaltyResent is not told twice");
      }

      @Override
      public void penaltyResent(UUID uuid, Txid penaltyTxid, ResendReason reason, BroadcastResult result) {
        current.add(reason);
      }
    };
    h.responder = h.start(h.store, new Both(before, both));
    Appointment a = h.breachedAppointment();
    h.handOver(a);
    h.chain.dropFromMempool(a.penalty().txid());
    h.mineEmptyAndDeliver(h.config.rebroadcastAfterMissed());

    assertEquals(List.of(a.penalty().txid()), old);
    assertEquals(List.of(ResendReason.MISSED_BLOCKS), current);
  }

  /**
   * One block that confirms a penalty, completes another, expires a third, resends a fourth that
   * missed blocks and retries a pending fifth: the events come step by step, not in the order the
   * trackers were handed over (which is the reverse here).
   */
  @Test
  void oneBlocksEventsComeInTheDocumentedStepOrder() {
    h = new Harness(ResponderConfig.defaults().withIrrevocableDepth(3), 7);
    Appointment confirms = Appointment.random(h.rng);
    Appointment completes = Appointment.random(h.rng);
    Appointment expires = Appointment.random(h.rng);
    Appointment missed = Appointment.random(h.rng);
    Appointment pending = Appointment.random(h.rng);
    Block disputes = h.deliver(h.chain.mineTransactions(confirms.dispute(), completes.dispute(), expires.dispute(),
        missed.dispute(), pending.dispute()));
    int d = disputes.height();
    int missAfter = h.config.rebroadcastAfterMissed();
    int last = d + missAfter; // the block everything happens in
    // Refused at hand-over and at every retry until the last block, which the node's real answer settles.
    h.chain.scriptBroadcast(pending.penalty().txid(), repeat(FULL_MEMPOOL, missAfter));
    h.handOver(pending);
    h.handOver(missed);
    h.chain.dropFromMempool(missed.penalty().txid());
    h.responder.handleBreach(expires.breachBuilder(disputes.hash()).subscriptionEndHeight(last).build());
    h.handOver(completes);
    h.handOver(confirms);
    while (h.chain.tip().height() < last - 3) {
      h.deliver(h.chain.mineEmpty());
    }
    h.deliver(h.chain.mineOnly(completes.penalty().txid())); // confirmed at last - 2: its third confirmation is last
    h.deliver(h.chain.mineEmpty());
    h.events.drain();

    Block b = h.deliver(h.chain.mineOnly(confirms.penalty().txid()));

    assertEquals(last, b.height());
    assertEquals(List.of(
        new Event.Confirmed(confirms.uuid(), confirms.penalty().txid(), b.ref()),
        new Event.Completed(completes.uuid(), completes.penalty().txid(), b.ref()),
        new Event.Expired(expires.uuid(), expires.penalty().txid(), b.ref()),
        new Event.Resent(missed.uuid(), missed.penalty().txid(), ResendReason.MISSED_BLOCKS, new BroadcastResult.Accepted()),
        new Event.Resent(pending.uuid(), pending.penalty().txid(), ResendReason.PENDING_RETRY,
            new BroadcastResult.Accepted())), h.events.events());
  }

  private static BroadcastResult[] repeat(BroadcastResult r, int times) {
    BroadcastResult[] out = new BroadcastResult[times];
    java.util.Arrays.fill(out, r);
    return out;
  }

  /** Tells two listeners, one after the other. */
  private record Both(ResponderListener first, ResponderListener second) implements ResponderListener {
    @Override
    public void penaltyResent(UUID uuid, Txid penaltyTxid, ResendReason reason, BroadcastResult result) {
      first.penaltyResent(uuid, penaltyTxid, reason, result);
      second.penaltyResent(uuid, penaltyTxid, reason, result);
    }
  }
}
