package io.responder.testkit.sim;

import io.responder.core.BlockRef;
import io.responder.core.Breach;
import io.responder.core.BreachReceipt;
import io.responder.core.BroadcastResult;
import io.responder.core.ResendReason;
import io.responder.core.Responder;
import io.responder.core.ResponderConfig;
import io.responder.core.ResponderListener;
import io.responder.core.TrackerStatus;
import io.responder.core.TransactionTracker;
import io.responder.core.Txid;
import io.responder.testkit.FakeChain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What must be true of a Responder, checked against the ground truth of a {@link FakeChain}: a small
 * model of every breach handed over and how its life may end.
 *
 * <p>It is the Responder's {@link ResponderListener} (events are checked the moment they happen,
 * against the chain as it is then) and is told of every breach handed over, every receipt, and every
 * broadcast the carrier made. After each step of a history, {@link #check} compares the Responder's
 * committed state with the model. The rules:
 * <ul>
 *   <li>every accepted breach stays tracked until it completes, expires or is rejected for good, and
 *       an event says which ({@link Violation#LOST}); a life ends once ({@link Violation#ENDED_TWICE});
 *   <li>a completion comes only when the penalty has the irrevocable depth on the best chain
 *       ({@link Violation#EARLY_COMPLETION}); an expiry only when the subscription ended and the
 *       penalty is not confirmed at that height ({@link Violation#BAD_EXPIRY});
 *   <li>a confirmation names the best-chain block that holds the penalty (or, when the Responder
 *       could not learn where it confirmed, a best-chain block above it: late, never early), and while the Responder's
 *       tip is on the best chain, what it records agrees with the chain up to that tip
 *       ({@link Violation#WRONG_CONFIRMATION}); a confirmation in a block it never connected (below
 *       the fork of a reorganisation deeper than its window) is learnt from the node within the
 *       rebroadcast threshold while the node answers ({@link Violation#MISSED_CONFIRMATION});
 *   <li>a tracked penalty out of the mempool is broadcast again within the rebroadcast threshold of
 *       blocks while the node is reachable ({@link Violation#NOT_REBROADCAST});
 *   <li>memory agrees with the store ({@code checkConsistency}, {@link Violation#INCONSISTENT});
 *   <li>a breach is dropped on -25 only when its dispute is confirmed on the node's own chain
 *       ({@link Violation#DROPPED_WHILE_AMBIGUOUS});
 *   <li>a penalty is not sent to a node lacking its dispute when the Responder has the raw dispute and
 *       reason to send it: the breach being handed over carries it, or the dispute's block was
 *       disconnected ({@link Violation#DISPUTE_NOT_FIRST});
 *   <li>a rebroadcast the node refused does not restart the missed-block count
 *       ({@link Violation#REFUSED_AS_ACCEPTED});
 *   <li>pending penalties are retried by {@code syncWithBlockSource()} once the node is back
 *       ({@link Violation#PENDING_NOT_RETRIED}, judged by the driver).
 * </ul>
 * When a crash or a lost commit acknowledgement may have swallowed events, a tracker that vanished is
 * accepted if the chain shows it was due to complete, expire, or had been rejected
 * ({@link #eventsMayHaveBeenLost()}).
 *
 * <p>Not thread-safe: one model per simulated history, driven from one thread.
 *
 * @since 0.1.0
 */
public final class ReferenceModel implements ResponderListener {
  private enum End {
    COMPLETED, EXPIRED, REJECTED, COMPLETED_UNREPORTED, EXPIRED_UNREPORTED, REJECTED_UNREPORTED
  }

  private static final class Life {
    final Breach breach;
    boolean accepted;
    @Nullable End end;
    boolean addedReported;
    /** Whether the node was seen to have the penalty (a status other than pending was committed). */
    boolean delivered;

    Life(Breach breach) {
      this.breach = breach;
    }

    boolean live() {
      return accepted && end == null;
    }
  }

  /** What the Responder's own node holds, which may be less than the chain the watcher sees. */
  interface NodeView {
    /**
     * Returns whether the node has a transaction confirmed on its best chain.
     *
     * @param txid the transaction
     * @return true if confirmed there
     */
    boolean confirmedOnNode(Txid txid);
  }

  private final FakeChain chain;
  private final ResponderConfig config;
  private final Map<UUID, Life> lives = new LinkedHashMap<>();
  private final Map<Txid, Integer> attempts = new HashMap<>();
  private final Map<Txid, BroadcastResult> lastAnswer = new HashMap<>();
  /** Penalties seen out of the mempool: {tip height when first seen missing, broadcast attempts then}. */
  private final Map<Txid, int[]> missing = new HashMap<>();
  /** Penalties confirmed below the Responder's tip that it records as unconfirmed: since which tip height. */
  private final Map<Txid, Integer> unnoticed = new HashMap<>();
  private final List<String[]> found = new ArrayList<>();
  /**
   * Disputes whose block a reorganisation the Responder can handle took away, the node not holding
   * them since, with the height they were confirmed at.
   */
  private final Map<Txid, Integer> disputesDisconnected = new HashMap<>();
  /** Disconnected disputes a penalty was refused for in the current call, with what was seen. */
  private final Map<Txid, Object[]> disputeOwedThisCall = new LinkedHashMap<>();
  /** The Responder's tip when each transaction was last sent: a send in the same interval may be a cached answer. */
  private final Map<Txid, BlockRef> lastAttemptTip = new HashMap<>();
  /** Disconnected disputes the Responder has sent again since (whatever the node answered). */
  private final Set<Txid> disputesResent = new HashSet<>();
  /** The last answer to each broadcast during the current Responder call. */
  private final Map<Txid, BroadcastResult> answersThisCall = new HashMap<>();
  /** Transactions the node took (accepted or found confirmed) during the current Responder call. */
  private final Set<Txid> deliveredThisCall = new HashSet<>();
  /**
   * The heights of the fork points of the reorganisations the Responder reported during the current
   * call: an in-mempool penalty sent again above one counts its missed blocks from it (B3.2).
   */
  private final Set<Integer> forksThisCall = new HashSet<>();
  /** Responder calls begun so far: tells one call's answers from the next's. */
  private long calls;
  /**
   * Transactions whose last answer from the node was a refusal, with the call it came in: kept while
   * only "node unavailable" answers of that same call follow it.
   */
  private final Map<Txid, Long> refusedLast = new HashMap<>();
  /** Statuses of in-mempool trackers when the current Responder call began. */
  private final Map<UUID, TrackerStatus> statusesBeforeCall = new HashMap<>();
  /** The breach being handed over by the current call, or null. */
  private Breach intake;
  /**
   * Whether that breach joins trackers whose penalty the node already took: the intake sends
   * nothing then, and what the call sends for that penalty is the Responder's own follow-up.
   */
  private boolean intakeJoinsDelivered;
  /** The node's view when it differs from the chain's (a node lagging behind the watcher), else null. */
  private NodeView nodeView;
  private boolean eventsMayBeLost;
  private boolean hostReportsDisconnection;
  private @Nullable Responder observed;
  private long completions;
  private long expiries;
  private long rejections;
  private long rebroadcasts;

  /**
   * Creates a model of a Responder running over {@code chain} with {@code config}.
   *
   * @param chain the ground truth
   * @param config the Responder's numbers
   */
  public ReferenceModel(FakeChain chain, ResponderConfig config) {
    this.chain = Objects.requireNonNull(chain, "chain");
    this.config = Objects.requireNonNull(config, "config");
  }

  // ---------------------------------------------------------------------------------------------
  // What the driver tells the model

  /**
   * Names the Responder the model watches (again after each restart), so that an event can be judged
   * by what that Responder could know: one that has not heard of a reorganisation yet (its node is
   * down, say) still reports the branch it is on.
   *
   * @param responder the Responder whose listener this model is, or null while none is running
   */
  public void observe(@Nullable Responder responder) {
    this.observed = responder;
  }

  /**
   * A breach is about to be handed over.
   *
   * @param breach the breach
   */
  public void handingOver(Breach breach) {
    Life life = lives.get(breach.uuid());
    if (life == null) {
      lives.put(breach.uuid(), new Life(breach));
    } else if (life.end != null) {
      // The same breach again after its tracker ended: a new life begins if it is accepted.
      life.end = null;
      life.accepted = false;
      life.addedReported = false;
      life.delivered = false;
    }
  }

  /**
   * {@code handleBreach} returned.
   *
   * @param breach the breach
   * @param receipt what it returned
   * @param storedNow whether the store holds the uuid right after the call
   */
  public void receipt(Breach breach, BreachReceipt receipt, boolean storedNow) {
    Life life = lives.get(breach.uuid());
    switch (receipt.disposition()) {
      case TRACKED, PENDING, ALREADY_TRACKED -> {
        life.accepted = true;
        if (!storedNow) {
          violation(Violation.BAD_RECEIPT, "receipt " + receipt.disposition() + " for " + breach.uuid()
              + " but the store does not hold it");
        }
      }
      case NOT_TRACKED -> {
        if (receipt.broadcast() instanceof BroadcastResult.Rejected r) {
          checkDroppable(breach.uuid(), breach, r);
        }
        if (life.end != End.REJECTED) {
          violation(Violation.BAD_RECEIPT, "receipt NOT_TRACKED for " + breach.uuid() + " without a rejection event");
        }
        if (!(receipt.broadcast() instanceof BroadcastResult.Rejected)) {
          violation(Violation.BAD_RECEIPT, "receipt NOT_TRACKED for " + breach.uuid() + " with " + receipt.broadcast());
        }
      }
      default -> throw new IllegalStateException(receipt.disposition().toString());
    }
  }

  /**
   * The carrier made a broadcast (call it from the carrier, failed attempts included).
   *
   * @param txid the transaction
   * @param result what the node answered
   */
  public void onBroadcast(Txid txid, BroadcastResult result) {
    attempts.merge(txid, 1, Integer::sum);
    lastAnswer.put(txid, result);
    if (result instanceof BroadcastResult.Rejected) {
      refusedLast.put(txid, calls);
    } else if (!(result instanceof BroadcastResult.NodeUnavailable) || !Long.valueOf(calls).equals(refusedLast.get(txid))) {
      refusedLast.remove(txid);
    }
    answersThisCall.put(txid, result);
    if (result.delivered()) {
      deliveredThisCall.add(txid);
    }
  }

  /**
   * The carrier made a broadcast, and the driver knows whether the node lacked a dispute the
   * transaction spends. Judges the order of dispute and penalty: a penalty refused for want of its
   * dispute, while the Responder held the raw dispute and had reason to send it (the breach being
   * handed over carries it, or the dispute's block was disconnected), was sent without its dispute
   * first ({@link Violation#DISPUTE_NOT_FIRST}).
   *
   * @param txid the transaction
   * @param result what the node answered
   * @param missingDispute a dispute it spends that the node holds neither in its chain nor in its
   *     mempool, or null
   */
  void onBroadcast(Txid txid, BroadcastResult result, Txid missingDispute) {
    BlockRef tipNow = observed == null ? null : observed.tip();
    // Sent in this call, or earlier in the same block interval, where the Responder reuses the node's
    // first answer instead of sending again (B1.5).
    boolean disputeTriedInCall = missingDispute != null && (answersThisCall.containsKey(missingDispute)
        || tipNow != null && tipNow.equals(lastAttemptTip.get(missingDispute)));
    onBroadcast(txid, result);
    if (tipNow != null) {
      lastAttemptTip.put(txid, tipNow);
    }
    if (disputesDisconnected.containsKey(txid)) {
      disputesResent.add(txid);
    }
    if (result instanceof BroadcastResult.NodeUnavailable) {
      // The penalty was sent again in this call, and that send did not reach the node (down, a carrier
      // that threw): the Responder could not learn again that the node lacks its dispute, and the
      // dispute would not have reached the node either, so it is no longer owed by this call.
      disputeOwedThisCall.values().removeIf(owed -> owed[0].equals(txid));
    }
    if (missingDispute == null || !(result instanceof BroadcastResult.Rejected r && r.code() == -25)) {
      return; // only -25 says the node lacks an input; another refusal tells the Responder nothing of it
    }
    // Sending the dispute first is what is asked; if the node did not take it (down, a carrier that
    // threw), sending the penalty after it is fine.
    boolean atIntake = intake != null && !intakeJoinsDelivered && intake.penaltyTxid().equals(txid)
        && intake.disputeRawTx().isPresent() && !disputeTriedInCall;
    // The Responder must know the block is gone (it is below it, or on the new best chain): a host
    // reporting disconnections one block at a time has it drop the blocks above first, while the
    // dispute's block is still on its chain.
    Integer formerHeight = disputesDisconnected.get(missingDispute);
    boolean disconnected = formerHeight != null && !disputesResent.contains(missingDispute) && !disputeTriedInCall
        && rawDisputeKnown(txid) && observed != null && (observed.tip().height() < formerHeight || onBestChain(observed.tip()));
    String message = "penalty " + txid + " sent to a node that holds neither its dispute " + missingDispute
        + " in its chain nor in its mempool, although the raw dispute was known ("
        + (atIntake ? "handed over with the breach" : "the dispute's block was disconnected") + "); the node answered "
        + result;
    if (atIntake || disconnected) {
      // The dispute is owed by the end of the call: the Responder may meet the refusal while catching
      // up before it takes the breach (and its raw dispute) in, and sending the dispute as soon as the
      // node says it lacks it gets the penalty back as surely; never sending it is the fault. The raw
      // dispute must have been known when the penalty was refused and still be once the call's events
      // are in (a tracker holding it may have expired in the same block).
      disputeOwedThisCall.putIfAbsent(missingDispute, new Object[] {txid, message, atIntake});
    }
  }

  /**
   * The current Responder call was cut short (a process death, an injected failure): what it would
   * have sent later in the call is not owed.
   */
  void callInterrupted() {
    disputeOwedThisCall.clear();
  }

  /**
   * Names what the node holds when it lags behind the chain (null: the chain itself).
   *
   * @param view the node's view
   */
  void nodeView(NodeView view) {
    this.nodeView = view;
  }

  /**
   * A reorganisation within the Responder's window took away the block of a dispute, and the node's
   * mempool does not hold it: the Responder must send it again before its penalty.
   *
   * @param disputeTxid the dispute
   * @param height the height its block had
   */
  void disputeDisconnected(Txid disputeTxid, int height) {
    disputesDisconnected.put(disputeTxid, height);
    disputesResent.remove(disputeTxid);
  }

  /**
   * A Responder call begins.
   *
   * @param responder the Responder (its port calls should not count toward injected faults)
   * @param handingOver the breach the call hands over, or null
   */
  void callStarting(Responder responder, Breach handingOver) {
    calls++;
    answersThisCall.clear();
    deliveredThisCall.clear();
    forksThisCall.clear();
    disputeOwedThisCall.clear();
    statusesBeforeCall.clear();
    intake = handingOver;
    intakeJoinsDelivered = false;
    if (responder != null) {
      for (TransactionTracker t : responder.trackers()) {
        if (handingOver != null && t.penaltyTxid().equals(handingOver.penaltyTxid())
            && !(t.status() instanceof TrackerStatus.Pending)) {
          intakeJoinsDelivered = true;
        }
        if (t.status() instanceof TrackerStatus.InMempool) {
          statusesBeforeCall.put(t.uuid(), t.status());
        }
      }
    }
  }

  /**
   * A Responder call ended (normally or not). A rebroadcast the node refused must not restart the
   * penalty's missed-block count as if the node had taken it ({@link Violation#REFUSED_AS_ACCEPTED}).
   *
   * @param responder the Responder, or null if it was thrown away
   */
  void callEnded(Responder responder) {
    intake = null;
    for (Map.Entry<Txid, Object[]> owed : disputeOwedThisCall.entrySet()) {
      boolean known = (Boolean) owed.getValue()[2] || rawDisputeKnown((Txid) owed.getValue()[0]);
      if (!answersThisCall.containsKey(owed.getKey()) && known) {
        violation(Violation.DISPUTE_NOT_FIRST, owed.getValue()[1] + ", and the dispute was not sent in that call");
        break;
      }
    }
    disputeOwedThisCall.clear();
    if (responder == null) {
      return;
    }
    for (TransactionTracker t : responder.trackers()) {
      if (t.status() instanceof TrackerStatus.InMempool now
          && statusesBeforeCall.get(t.uuid()) instanceof TrackerStatus.InMempool before
          && now.sinceHeight() > before.sinceHeight()) {
        BroadcastResult answer = answersThisCall.get(t.penaltyTxid());
        if (deliveredThisCall.contains(t.penaltyTxid())) {
          continue; // the node took it at some point of the call: a fresh count is right
        }
        if (forksThisCall.contains(now.sinceHeight())) {
          continue; // sent again above a fork this call went back to: counted from the fork (seed 324152)
        }
        if (answer instanceof BroadcastResult.Rejected || answer instanceof BroadcastResult.RejectedForNow) {
          violation(Violation.REFUSED_AS_ACCEPTED, "tracker " + t.uuid() + " went from " + before + " to " + now
              + " although the node refused the rebroadcast (" + answer + ")");
          return;
        }
      }
    }
  }

  /**
   * Returns the penalties the Responder holds as pending, by tracker.
   *
   * @param responder the Responder
   * @return penalty txid of each pending tracker
   */
  static Set<Txid> pendingPenalties(Responder responder) {
    Set<Txid> out = new HashSet<>();
    for (TransactionTracker t : responder.trackers()) {
      if (t.status() instanceof TrackerStatus.Pending) {
        out.add(t.penaltyTxid());
      }
    }
    return out;
  }

  /**
   * Returns how many broadcasts of a transaction the carrier has made.
   *
   * @param txid the transaction
   * @return the count, failed attempts included
   */
  int attempts(Txid txid) {
    return attempts.getOrDefault(txid, 0);
  }

  /**
   * Returns whether the node's last answer to a broadcast of a transaction was that it could not be
   * asked.
   *
   * @param txid the transaction
   * @return true if the last attempt found the node unavailable
   */
  boolean lastAnswerUnavailable(Txid txid) {
    return lastAnswer.get(txid) instanceof BroadcastResult.NodeUnavailable;
  }

  private boolean rawDisputeKnown(Txid penaltyTxid) {
    for (Life life : lives.values()) {
      if (life.live() && life.breach.penaltyTxid().equals(penaltyTxid) && life.breach.disputeRawTx().isPresent()) {
        return true;
      }
    }
    return false;
  }

  /** Whether the node has the dispute confirmed on its own best chain. */
  private boolean disputeConfirmedOnNode(Txid disputeTxid) {
    if (nodeView != null) {
      return nodeView.confirmedOnNode(disputeTxid);
    }
    return chain.confirmationHeight(disputeTxid).isPresent();
  }

  /**
   * The process died or a commit's acknowledgement was lost since the last check: events of
   * committed changes may never have been delivered.
   */
  public void eventsMayHaveBeenLost() {
    eventsMayBeLost = true;
    disputeOwedThisCall.clear();
  }

  /**
   * Says whether the driver is reporting a disconnection itself ({@code blockDisconnected}): the fork
   * point it names is then the parent of the reported block, which the real chain may have
   * disconnected as well.
   *
   * @param value true around a {@code blockDisconnected} call
   */
  public void hostReportsDisconnection(boolean value) {
    hostReportsDisconnection = value;
  }

  /**
   * Records a violation found by the driver itself.
   *
   * @param rule one of {@link Violation}'s rules
   * @param message what was seen
   */
  public void violation(String rule, String message) {
    found.add(new String[] {rule, message});
  }

  /**
   * Returns and forgets the first violation found since the last call, with the step it belongs to.
   *
   * @param step the step being run
   * @return the violation, or null
   */
  public @Nullable Violation takeViolation(int step) {
    if (found.isEmpty()) {
      return null;
    }
    String[] first = found.get(0);
    found.clear();
    return new Violation(first[0], step, first[1]);
  }

  // ---------------------------------------------------------------------------------------------
  // Checks after a step

  /**
   * Checks the Responder's state after a step. Violations are kept for {@link #takeViolation}.
   *
   * @param responder the Responder (its port calls should not count toward injected faults)
   * @param nodeReachable whether the node answers broadcasts now
   */
  public void check(Responder responder, boolean nodeReachable) {
    check(responder, nodeReachable, true);
  }

  /**
   * Checks the Responder's state after a step, knowing whether its block source answers: a
   * confirmation in a block the Responder connected before it tracked the penalty can only be
   * located through the block source, so a miss is not counted while the source is down.
   *
   * @param responder the Responder (its port calls should not count toward injected faults)
   * @param nodeReachable whether the node answers broadcasts now
   * @param sourceReachable whether the block source answers now
   */
  void check(Responder responder, boolean nodeReachable, boolean sourceReachable) {
    try {
      responder.checkConsistency();
    } catch (IllegalStateException e) {
      violation(Violation.INCONSISTENT, e.getMessage());
      return;
    }
    BlockRef tip = responder.tip();
    Map<UUID, TransactionTracker> stored = new LinkedHashMap<>();
    for (TransactionTracker t : responder.trackers()) {
      stored.put(t.uuid(), t);
    }
    for (TransactionTracker t : stored.values()) {
      Life life = lives.get(t.uuid());
      if (life == null) {
        violation(Violation.BAD_TRACKER, "tracker " + t.uuid() + " was never handed over");
        continue;
      }
      if (life.end != null) {
        violation(Violation.BAD_TRACKER, "tracker " + t.uuid() + " is still stored after it " + life.end);
      }
      if (life.end == null) {
        life.accepted = true; // handed over by a call that died after committing it
        if (!(t.status() instanceof TrackerStatus.Pending)) {
          life.delivered = true;
        }
      }
    }
    disputesDisconnected.keySet().removeIf(d -> chain.inMempool(d) || chain.confirmationHeight(d).isPresent());
    disputesResent.retainAll(disputesDisconnected.keySet());
    boolean mayBeLost = eventsMayBeLost;
    eventsMayBeLost = false;
    for (Map.Entry<UUID, Life> e : lives.entrySet()) {
      Life life = e.getValue();
      if (life.live() && !stored.containsKey(e.getKey())) {
        End silent = mayBeLost ? explainVanished(life, tip) : null;
        if (silent == null) {
          violation(Violation.LOST, "accepted breach " + e.getKey() + " (penalty " + life.breach.penaltyTxid()
              + ") is no longer tracked and no event said why; tip " + tip.height() + ", penalty confirmed at "
              + chain.confirmationHeight(life.breach.penaltyTxid()));
        } else {
          life.end = silent;
        }
      }
    }
    checkAgainstChain(tip, stored, nodeReachable && sourceReachable);
    checkRebroadcasts(tip, stored, nodeReachable);
  }

  /**
   * Checks that the history is over: every accepted breach has ended and nothing is tracked.
   *
   * @param responder the Responder
   */
  public void checkSettled(Responder responder) {
    for (Map.Entry<UUID, Life> e : lives.entrySet()) {
      if (e.getValue().live()) {
        violation(Violation.NOT_SETTLED, "breach " + e.getKey() + " still tracked after the chain settled: "
            + responder.tracker(e.getKey()).map(TransactionTracker::status).orElse(null) + ", penalty "
            + (chain.inMempool(e.getValue().breach.penaltyTxid()) ? "in the mempool" : "not in the mempool")
            + ", confirmed at " + chain.confirmationHeight(e.getValue().breach.penaltyTxid())
            + ", tip " + responder.tip().height());
        return;
      }
    }
    if (responder.trackerCount() != 0) {
      violation(Violation.NOT_SETTLED, responder.trackerCount() + " trackers left after the chain settled");
    }
  }

  /**
   * Returns whether every accepted breach has ended.
   *
   * @return true when nothing is left to track
   */
  public boolean settled() {
    return lives.values().stream().noneMatch(Life::live);
  }

  private @Nullable End explainVanished(Life life, BlockRef tip) {
    OptionalInt h = chain.confirmationHeight(life.breach.penaltyTxid());
    if (h.isPresent() && tip.height() - h.getAsInt() + 1 >= config.irrevocableDepth()) {
      return End.COMPLETED_UNREPORTED;
    }
    OptionalInt end = life.breach.subscriptionEndHeight();
    if (end.isPresent() && end.getAsInt() <= tip.height()) {
      return End.EXPIRED_UNREPORTED;
    }
    // Refused last, or refused and then sent again in the same call without reaching the node (the
    // second half of a package, say, whose carrier threw): the refusal is the last thing the node
    // said (seed 468050).
    if (refusedLast.containsKey(life.breach.penaltyTxid())) {
      return End.REJECTED_UNREPORTED;
    }
    return null;
  }

  private void checkAgainstChain(BlockRef tip, Map<UUID, TransactionTracker> stored, boolean nodeReachable) {
    if (!onBestChain(tip)) {
      unnoticed.clear();
      return; // the Responder has not heard of a reorganisation yet; it will compare once it has
    }
    Map<Txid, Integer> stillUnnoticed = new HashMap<>();
    for (TransactionTracker t : stored.values()) {
      OptionalInt h = chain.confirmationHeight(t.penaltyTxid());
      if (t.status() instanceof TrackerStatus.Confirmed c) {
        if (c.block().height() > tip.height()) {
          continue; // what the node said of a block the Responder has not reached; it checks it there
        }
        if (!onBestChain(c.block()) || h.isEmpty() || h.getAsInt() != c.block().height() && !erringLate(h, c.block())) {
          violation(Violation.WRONG_CONFIRMATION, "tracker " + t.uuid() + " records its penalty confirmed at "
              + c.block().height() + " but on the best chain it is at " + h + " (responder tip " + tip.height() + ")");
          return;
        }
      } else if (t.status() instanceof TrackerStatus.InMempool && h.isPresent() && h.getAsInt() <= tip.height()
          && nodeReachable) {
        // Normally seen in the block at once; one the Responder never connected (below the fork of a
        // reorganisation deeper than its window) is re-learnt from the node, at the latest by the
        // next rebroadcast, so a miss may last the rebroadcast threshold while the node answers.
        int since = unnoticed.getOrDefault(t.penaltyTxid(), tip.height());
        stillUnnoticed.put(t.penaltyTxid(), since);
        if (tip.height() - since >= config.rebroadcastAfterMissed()) {
          violation(Violation.MISSED_CONFIRMATION, "tracker " + t.uuid() + " is " + t.status()
              + " but its penalty is confirmed at " + h.getAsInt() + ", below the responder's tip " + tip.height()
              + ", and has been since height " + since);
          return;
        }
      }
    }
    unnoticed.clear();
    unnoticed.putAll(stillUnnoticed);
  }

  private void checkRebroadcasts(BlockRef tip, Map<UUID, TransactionTracker> stored, boolean nodeReachable) {
    Map<Txid, Boolean> unconfirmed = new LinkedHashMap<>();
    for (TransactionTracker t : stored.values()) {
      if (!(t.status() instanceof TrackerStatus.Confirmed)) {
        unconfirmed.put(t.penaltyTxid(), Boolean.TRUE);
      }
    }
    missing.keySet().retainAll(unconfirmed.keySet());
    for (Txid txid : unconfirmed.keySet()) {
      if (!nodeReachable || chain.inMempool(txid) || chain.confirmationHeight(txid).isPresent()) {
        missing.remove(txid);
        continue;
      }
      int tried = attempts.getOrDefault(txid, 0);
      int[] mark = missing.get(txid);
      if (mark == null || mark[1] != tried || tip.height() < mark[0]) {
        missing.put(txid, new int[] {tip.height(), tried});
      } else if (tip.height() - mark[0] >= config.rebroadcastAfterMissed()) {
        violation(Violation.NOT_REBROADCAST, "penalty " + txid + " has been out of the mempool since height " + mark[0]
            + " and was not sent again by " + tip.height() + " (threshold " + config.rebroadcastAfterMissed() + ")");
        return;
      }
    }
  }

  /**
   * A confirmation placed on the best chain above the block that really holds the penalty: what a
   * Responder that cannot learn where a penalty confirmed records so that it completes late, never
   * early (issue 11). Any reorganisation that takes the real block away takes this one too.
   */
  private boolean erringLate(OptionalInt actual, BlockRef recorded) {
    return actual.isPresent() && actual.getAsInt() < recorded.height() && onBestChain(recorded);
  }

  private boolean onBestChain(BlockRef block) {
    BlockRef best = chain.tip();
    return block.height() <= best.height() && block.height() >= 1
        && chain.blockAt(block.height()).hash().equals(block.hash());
  }

  // ---------------------------------------------------------------------------------------------
  // Listener: each event is checked against the chain as it is when the event happens.

  @Override
  public void trackerAdded(TransactionTracker tracker) {
    Life life = lives.get(tracker.uuid());
    if (life == null) {
      violation(Violation.BAD_TRACKER, "tracker " + tracker.uuid() + " added but never handed over");
      return;
    }
    if (life.live() && life.addedReported) {
      violation(Violation.BAD_TRACKER, "tracker " + tracker.uuid() + " added twice");
    }
    if (life.end != null) {
      violation(Violation.BAD_TRACKER, "tracker " + tracker.uuid() + " added after it " + life.end
          + " without being handed over again");
    }
    life.accepted = true;
    life.addedReported = true;
    if (!(tracker.status() instanceof TrackerStatus.Pending)) {
      life.delivered = true;
    }
  }

  @Override
  public void penaltyConfirmed(UUID uuid, Txid penaltyTxid, BlockRef block) {
    OptionalInt h = chain.confirmationHeight(penaltyTxid);
    if (!onBestChain(block) && observed != null && !onBestChain(observed.tip())) {
      return; // a Responder still on a stale branch reports what that branch holds; checked once it catches up
    }
    if (observed != null && block.height() > observed.tip().height()) {
      return; // what the node said of a block the Responder has not reached: it checks it when it gets there
    }
    if (!onBestChain(block) || h.isEmpty() || h.getAsInt() != block.height() && !erringLate(h, block)) {
      violation(Violation.WRONG_CONFIRMATION, "penalty " + penaltyTxid + " of " + uuid + " reported confirmed at "
          + block.height() + " but on the best chain it is at " + h);
    }
  }

  @Override
  public void penaltyResent(UUID uuid, Txid penaltyTxid, ResendReason reason, BroadcastResult result) {
    rebroadcasts++;
    Life life = lives.get(uuid);
    if (life != null && (result instanceof BroadcastResult.Rejected || result instanceof BroadcastResult.RejectedForNow)) {
      // A refused rebroadcast makes the penalty pending again: refused for good on a later try, it may be dropped.
      life.delivered = false;
    } else if (life != null && result.delivered()) {
      life.delivered = true;
    }
  }

  @Override
  public void trackerCompleted(UUID uuid, Txid penaltyTxid, BlockRef tip) {
    completions++;
    OptionalInt h = chain.confirmationHeight(penaltyTxid);
    if (!onBestChain(tip) || h.isEmpty() || tip.height() - h.getAsInt() + 1 < config.irrevocableDepth()) {
      violation(Violation.EARLY_COMPLETION, "tracker " + uuid + " completed at " + tip.height() + " but its penalty "
          + penaltyTxid + " is confirmed at " + h + " on the best chain (depth " + config.irrevocableDepth() + ")");
    }
    end(uuid, End.COMPLETED);
  }

  @Override
  public void trackerExpired(UUID uuid, Txid penaltyTxid, BlockRef tip) {
    expiries++;
    Life life = lives.get(uuid);
    OptionalInt h = chain.confirmationHeight(penaltyTxid);
    OptionalInt subscriptionEnd = life == null ? OptionalInt.empty() : life.breach.subscriptionEndHeight();
    if (subscriptionEnd.isEmpty() || subscriptionEnd.getAsInt() > tip.height()) {
      violation(Violation.BAD_EXPIRY, "tracker " + uuid + " expired at " + tip.height() + " but its subscription ends at "
          + subscriptionEnd);
    } else if (h.isPresent() && h.getAsInt() <= tip.height() && chain.isReachable() && !lastAnswerUnavailable(penaltyTxid)) {
      // (With the node unreachable, or a carrier that threw when asked, the Responder cannot learn
      // that a pending penalty was mined.)
      violation(Violation.BAD_EXPIRY, "tracker " + uuid + " expired at " + tip.height()
          + " although its penalty is confirmed at " + h.getAsInt() + " on the best chain");
    }
    end(uuid, End.EXPIRED);
  }

  @Override
  public void breachRejected(UUID uuid, Txid penaltyTxid, BroadcastResult.Rejected rejection) {
    rejections++;
    Life life = lives.get(uuid);
    if (life != null) {
      checkDroppable(uuid, life.breach, rejection);
    }
    if (life != null && life.live() && life.delivered) {
      violation(Violation.WRONGLY_REJECTED, "tracker " + uuid + " dropped as rejected (" + rejection
          + ") although the node had accepted its penalty; only new and pending breaches end that way");
    }
    end(uuid, End.REJECTED);
  }

  /**
   * -25 ({@code bad-txns-inputs-missingorspent}) is final only when the dispute is confirmed on the
   * node's chain (its output then spent by another confirmed transaction); while the dispute is not
   * there, the input may merely be missing and the breach must be kept.
   */
  private void checkDroppable(UUID uuid, Breach breach, BroadcastResult.Rejected rejection) {
    if (rejection.code() == -25 && !disputeConfirmedOnNode(breach.disputeTxid())) {
      violation(Violation.DROPPED_WHILE_AMBIGUOUS, "breach " + uuid + " dropped on " + rejection
          + " although its dispute " + breach.disputeTxid() + " is not confirmed on the node's chain (confirmed at "
          + chain.confirmationHeight(breach.disputeTxid()) + " on the chain the watcher sees): the input may only be missing");
    }
  }

  @Override
  public void blocksDisconnected(BlockRef forkPoint, List<BlockRef> disconnected) {
    forksThisCall.add(forkPoint.height());
    if (!hostReportsDisconnection && !onBestChain(forkPoint)) {
      violation(Violation.WRONG_FORK, "reorganisation reported with fork point " + forkPoint + " off the best chain");
    }
  }

  private void end(UUID uuid, End how) {
    Life life = lives.get(uuid);
    if (life == null) {
      violation(Violation.BAD_TRACKER, how + " reported for " + uuid + ", which was never handed over");
      return;
    }
    if (life.end != null) {
      violation(Violation.ENDED_TWICE, "tracker " + uuid + " " + how + " after it already " + life.end);
    }
    life.end = how;
  }

  long completions() {
    return completions;
  }

  long expiries() {
    return expiries;
  }

  long rejections() {
    return rejections;
  }

  long rebroadcasts() {
    return rebroadcasts;
  }
}
