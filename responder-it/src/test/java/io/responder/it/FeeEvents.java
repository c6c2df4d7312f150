package io.responder.it;

import io.responder.core.BlockRef;
import io.responder.core.BroadcastResult;
import io.responder.core.FeeRate;
import io.responder.core.ResendReason;
import io.responder.core.ResponderListener;
import io.responder.core.TransactionTracker;
import io.responder.core.Txid;
import io.responder.testkit.RecordingListener;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The fee and deadline events ({@code penaltyAtRisk}, {@code penaltyEscalated}, {@code penaltyBumped},
 * {@code deadlinePassed}), recorded in order, with every other event handed on to a
 * {@link RecordingListener}, which does not know the fee events.
 *
 * <p>Thread-safe (every method is synchronized).
 */
final class FeeEvents implements ResponderListener {
  /** One fee event. */
  sealed interface Event {}

  record AtRisk(UUID uuid, Txid penaltyTxid, int deadlineHeight, int blocksLeft) implements Event {}

  record Escalated(UUID uuid, Txid penaltyTxid, Txid sentTxid, int rung, BroadcastResult result) implements Event {}

  record Bumped(UUID uuid, Txid penaltyTxid, Txid childTxid, FeeRate packageFeeRate, long feeSats,
      BroadcastResult result) implements Event {}

  record DeadlinePassed(UUID uuid, Txid penaltyTxid, int deadlineHeight) implements Event {}

  private final RecordingListener others;
  private final List<Event> events = new ArrayList<>();

  FeeEvents(RecordingListener others) {
    this.others = others;
  }

  /** The fee events so far, oldest first. */
  synchronized List<Event> all() {
    return List.copyOf(events);
  }

  /** The fee events of one kind so far, oldest first. */
  synchronized <E extends Event> List<E> of(Class<E> kind) {
    return events.stream().filter(kind::isInstance).map(kind::cast).toList();
  }

  /** The fee events so far, which are then forgotten. */
  synchronized List<Event> drain() {
    List<Event> out = List.copyOf(events);
    events.clear();
    return out;
  }

  @Override
  public synchronized void penaltyAtRisk(UUID uuid, Txid penaltyTxid, int deadlineHeight, int blocksLeft) {
    events.add(new AtRisk(uuid, penaltyTxid, deadlineHeight, blocksLeft));
  }

  @Override
  public synchronized void penaltyEscalated(UUID uuid, Txid penaltyTxid, Txid sentTxid, int rung, BroadcastResult result) {
    events.add(new Escalated(uuid, penaltyTxid, sentTxid, rung, result));
  }

  @Override
  public synchronized void penaltyBumped(UUID uuid, Txid penaltyTxid, Txid childTxid, FeeRate packageFeeRate,
      long feeSats, BroadcastResult result) {
    events.add(new Bumped(uuid, penaltyTxid, childTxid, packageFeeRate, feeSats, result));
  }

  @Override
  public synchronized void deadlinePassed(UUID uuid, Txid penaltyTxid, int deadlineHeight) {
    events.add(new DeadlinePassed(uuid, penaltyTxid, deadlineHeight));
  }

  // --- handed on ---------------------------------------------------------------------------------

  @Override
  public void trackerAdded(TransactionTracker tracker) {
    others.trackerAdded(tracker);
  }

  @Override
  public void penaltyConfirmed(UUID uuid, Txid penaltyTxid, BlockRef block) {
    others.penaltyConfirmed(uuid, penaltyTxid, block);
  }

  @Override
  public void penaltyResent(UUID uuid, Txid penaltyTxid, ResendReason reason, BroadcastResult result) {
    others.penaltyResent(uuid, penaltyTxid, reason, result);
  }

  @Override
  public void trackerCompleted(UUID uuid, Txid penaltyTxid, BlockRef tip) {
    others.trackerCompleted(uuid, penaltyTxid, tip);
  }

  @Override
  public void trackerExpired(UUID uuid, Txid penaltyTxid, BlockRef tip) {
    others.trackerExpired(uuid, penaltyTxid, tip);
  }

  @Override
  public void breachRejected(UUID uuid, Txid penaltyTxid, BroadcastResult.Rejected rejection) {
    others.breachRejected(uuid, penaltyTxid, rejection);
  }

  @Override
  public void blocksDisconnected(BlockRef forkPoint, List<BlockRef> disconnected) {
    others.blocksDisconnected(forkPoint, disconnected);
  }
}
