package io.responder.core;

import io.responder.core.internal.PenaltyGroup;
import io.responder.core.internal.RecentBlocks;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * B1: a breach handed over becomes a tracker, or is refused with the node's reason.
 *
 * <p>Mutable state lives in the book and the node link; confined to the Responder's lock.
 */
final class Intake {
  private static final Logger log = LoggerFactory.getLogger(Responder.class);

  private final TrackerBook book;
  private final NodeLink node;
  private final Ledger ledger;
  private final RecentBlocks window;
  private final ChainFollower follower;
  private final BlockStep steps;
  private final Escalation escalation;

  Intake(TrackerBook book, NodeLink node, Ledger ledger, RecentBlocks window, ChainFollower follower, BlockStep steps,
      Escalation escalation) {
    this.book = book;
    this.node = node;
    this.ledger = ledger;
    this.window = window;
    this.follower = follower;
    this.steps = steps;
    this.escalation = escalation;
  }

  BreachReceipt handle(Breach breach) {
    Optional<TransactionTracker> known = ledger.store().find(breach.uuid());
    if (known.isPresent()) {
      if (!breach.sameAppointmentAs(known.get())) {
        throw new InvalidInputException("uuid", "is already tracked with a different breach");
      }
      BroadcastResult earlier = node.receipt(breach.penaltyTxid());
      return new BreachReceipt(breach.uuid(), earlier != null ? earlier : describe(known.get().status()),
          BreachReceipt.Disposition.ALREADY_TRACKED);
    }
    if (window.heightOf(breach.seenInBlock()) < 0) {
      catchUp(breach);
    }
    return admit(breach);
  }

  /** B1.8: a breach seen in a block the Responder has not processed yet; catch up first if possible. */
  private void catchUp(Breach breach) {
    try {
      follower.syncToBest();
    } catch (RuntimeException e) {
      if (ledger.isStale()) {
        // A block failed half way (its commit, say, whose acknowledgement may be lost with the
        // block's events): the caller hears of it and hands the breach over again.
        throw e;
      }
      // The catch-up stopped between blocks (a block source down, or throwing what it should not):
      // the breach is handled where the Responder stands rather than refused.
      log.atWarn().addKeyValue("uuid", breach.uuid()).addKeyValue("seenInBlock", breach.seenInBlock())
          .addKeyValue("tip", window.tip().height()).addKeyValue("reason", e.toString())
          .log("breach seen in a block the responder has not processed and could not catch up: handling it out of sync");
    }
  }

  private BreachReceipt admit(Breach breach) {
    BlockRef tip = window.tip();
    Txid txid = breach.penaltyTxid();
    int disputeHeight = window.heightOf(breach.seenInBlock());
    PenaltyGroup group = book.get(txid);

    BroadcastResult result;
    TrackerStatus status;
    Escalation.FirstSend first = null;
    if (group != null && group.state() != TrackerState.PENDING) {
      // Broadcast once, watch once: the penalty is already in the node's hands.
      status = book.status(group);
      BroadcastResult earlier = node.receipt(txid);
      // This interval's answer is reused only if it put the penalty in the node's hands: a refused
      // rebroadcast (after a host-reported disconnection, say) kept the trackers, so it must neither
      // end them nor turn the newcomer away here.
      result = earlier != null && earlier.delivered() ? earlier : describe(status);
    } else {
      // One breach logs a handful of lines at most: each at its own level, none cut.
      byte[] rawDispute = breach.disputeRawTxUnsafe();
      if (rawDispute == null && group != null) {
        // Handed over without its dispute, to join a pending penalty whose other breaches brought it:
        // a node that lacks the dispute gets it with this send, not a block later (simulation, seed
        // 764190: the dispute's block had been disconnected).
        rawDispute = node.rawDisputeOf(group);
      }
      first = escalation.sendFirst(breach, rawDispute, disputeHeight, tip.height(), new BlockLines());
      result = first.result();
      status = steps.statusAfterBroadcast(result, first.txid(), disputeHeight, tip.height());
      if (group != null && status instanceof TrackerStatus.Pending) {
        status = book.status(group); // still pending: joining it changes nothing for the others
      }
    }

    if (result instanceof BroadcastResult.Rejected rejection) {
      return refuse(breach, rejection, group);
    }

    TransactionTracker tracker = TransactionTracker.of(
        breach, disputeHeight >= 0 ? OptionalInt.of(disputeHeight) : OptionalInt.empty(), status);
    ChangeSet ch = new ChangeSet();
    ch.add(tracker);
    ch.event(l -> l.trackerAdded(tracker));
    if (first != null && first.rung() > 0) {
      for (Escalation.Sent r : first.refused()) {
        if (r.rung() > 0) {
          ch.event(l -> l.penaltyEscalated(breach.uuid(), txid, r.txid(), r.rung(), r.result()));
        }
      }
      Escalation.FirstSend sent = first;
      ch.event(l -> l.penaltyEscalated(breach.uuid(), txid, sent.txid(), sent.rung(), sent.result()));
    }
    if (first != null && first.child() != null) {
      Escalation.Child child = first.child();
      ch.event(l -> l.penaltyBumped(breach.uuid(), txid, child.txid(), child.packageFeeRate(), child.feeSats(), child.result()));
    }
    boolean statusChanged = group != null && !status.equals(book.status(group));
    if (statusChanged) {
      ch.status(group, status); // its members as they are: the new one joins after the commit
    }
    if (status instanceof TrackerStatus.Confirmed c) {
      Set<UUID> newlyConfirmed = new LinkedHashSet<>();
      newlyConfirmed.add(breach.uuid());
      if (statusChanged) {
        for (int i = 0; i < group.size(); i++) {
          newlyConfirmed.add(group.uuid(i));
        }
      }
      for (UUID u : newlyConfirmed) {
        ch.event(l -> l.penaltyConfirmed(u, txid, c.block()));
      }
    }

    // Persist first: if the store fails, memory is untouched and the caller may retry.
    ledger.persist(ch, Optional.empty());
    PenaltyGroup admitted = book.admit(breach, status, disputeHeight, group);
    node.keyReceiptBy(admitted); // the receipt then keeps the group alive, not the breach's txid
    if (first != null) {
      escalation.register(admitted, first.plan(), tip.height());
      if (result.delivered()) {
        escalation.holds(admitted, first.rung()); // a group that had a plan already keeps its own
      }
    } else {
      escalation.register(admitted, breach.feeTerms(), breach.disputeTxid(), breach.penaltyRawTxUnsafe(),
          breach.disputeRawTxUnsafe(), tip.height());
    }
    log.atInfo().addKeyValue("uuid", breach.uuid()).addKeyValue("penaltyTxid", txid)
        .addKeyValue("disputeTxid", breach.disputeTxid()).addKeyValue("status", status)
        .addKeyValue("disputeHeight", disputeHeight).log("tracker added");
    ledger.tell(ch);
    return new BreachReceipt(breach.uuid(), result,
        status instanceof TrackerStatus.Pending ? BreachReceipt.Disposition.PENDING : BreachReceipt.Disposition.TRACKED);
  }

  private BreachReceipt refuse(Breach breach, BroadcastResult.Rejected rejection, @Nullable PenaltyGroup group) {
    Txid txid = breach.penaltyTxid();
    ChangeSet ch = new ChangeSet();
    ch.event(l -> l.breachRejected(breach.uuid(), txid, rejection));
    if (group != null) {
      // The pending trackers of the same penalty can never succeed either.
      book.drop(group, ch, ChangeSet.REJECTED, rejection);
    }
    log.atWarn().addKeyValue("uuid", breach.uuid()).addKeyValue("penaltyTxid", txid)
        .addKeyValue("code", rejection.code()).addKeyValue("message", rejection.message())
        .log("penalty rejected for good: breach not tracked");
    if (group != null) {
      ledger.commit(ch, Optional.empty());
    } else {
      ledger.tell(ch); // nothing was stored, nothing to commit
    }
    return new BreachReceipt(breach.uuid(), rejection, BreachReceipt.Disposition.NOT_TRACKED);
  }

  /** The answer a tracked status stands for, when the node was not asked. */
  private BroadcastResult describe(TrackerStatus status) {
    if (status instanceof TrackerStatus.Confirmed c) {
      return new BroadcastResult.AlreadyConfirmed(OptionalInt.of(Math.max(1, c.confirmations(window.tip().height()))));
    }
    if (status instanceof TrackerStatus.InMempool) {
      return new BroadcastResult.Accepted();
    }
    return new BroadcastResult.NodeUnavailable("not sent again: the penalty is pending and retried on every block");
  }
}
