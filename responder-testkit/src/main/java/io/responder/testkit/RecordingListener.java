package io.responder.testkit;

import io.responder.core.BlockRef;
import io.responder.core.BroadcastResult;
import io.responder.core.FeeRate;
import io.responder.core.ResendReason;
import io.responder.core.ResponderListener;
import io.responder.core.TransactionTracker;
import io.responder.core.Txid;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A {@link ResponderListener} that records every event, so tests can assert what the Responder told
 * the host, in order. Each listener method has its own {@link Event} type holding exactly what the
 * method was given. Instances are thread-safe.
 *
 * <pre>{@code
 * assertEquals(List.of(a.uuid()), events.uuids(Event.Completed.class));
 * assertEquals(confirming.height() + 99, events.events(Event.Completed.class).get(0).tip().height());
 * }</pre>
 *
 * @since 0.1.0
 */
public final class RecordingListener implements ResponderListener {
  /**
   * One recorded event: one record type per {@link ResponderListener} method, with that method's
   * parameters as components. Immutable.
   */
  public sealed interface Event {
    /**
     * {@link ResponderListener#trackerAdded}.
     *
     * @param tracker the new tracker
     */
    record Added(TransactionTracker tracker) implements OfTracker {
      @Override
      public UUID uuid() {
        return tracker.uuid();
      }

      @Override
      public Txid penaltyTxid() {
        return tracker.penaltyTxid();
      }
    }

    /**
     * {@link ResponderListener#penaltyConfirmed}.
     *
     * @param uuid the tracker
     * @param penaltyTxid its penalty
     * @param block the confirming block
     */
    record Confirmed(UUID uuid, Txid penaltyTxid, BlockRef block) implements OfTracker {}

    /**
     * {@link ResponderListener#penaltyResent} (and so the old {@code penaltyRebroadcast}).
     *
     * @param uuid the tracker
     * @param penaltyTxid its penalty
     * @param reason why it was sent again
     * @param result what the node answered
     */
    record Resent(UUID uuid, Txid penaltyTxid, ResendReason reason, BroadcastResult result) implements OfTracker {}

    /**
     * {@link ResponderListener#trackerCompleted}.
     *
     * @param uuid the tracker
     * @param penaltyTxid its penalty
     * @param tip the block at which it completed
     */
    record Completed(UUID uuid, Txid penaltyTxid, BlockRef tip) implements OfTracker {}

    /**
     * {@link ResponderListener#trackerExpired}.
     *
     * @param uuid the tracker
     * @param penaltyTxid its penalty
     * @param tip the block at which it expired
     */
    record Expired(UUID uuid, Txid penaltyTxid, BlockRef tip) implements OfTracker {}

    /**
     * {@link ResponderListener#breachRejected}.
     *
     * @param uuid the breach
     * @param penaltyTxid its penalty
     * @param rejection the node's answer
     */
    record Rejected(UUID uuid, Txid penaltyTxid, BroadcastResult.Rejected rejection) implements OfTracker {}

    /**
     * {@link ResponderListener#blocksDisconnected}.
     *
     * @param forkPoint the new tip, the last block both branches share
     * @param blocks the blocks taken off, newest first
     */
    record Disconnected(BlockRef forkPoint, List<BlockRef> blocks) implements Event {
      /** Copies the list. */
      public Disconnected {
        blocks = List.copyOf(blocks);
      }
    }

    /**
     * {@link ResponderListener#penaltyAtRisk}.
     *
     * @param uuid the tracker
     * @param penaltyTxid its penalty
     * @param deadlineHeight the first height at which the cheater can sweep
     * @param blocksLeft blocks that can still confirm the penalty before then
     */
    record AtRisk(UUID uuid, Txid penaltyTxid, int deadlineHeight, int blocksLeft) implements OfTracker {}

    /**
     * {@link ResponderListener#penaltyEscalated}.
     *
     * @param uuid the tracker
     * @param penaltyTxid its penalty
     * @param sentTxid the variant sent
     * @param rung its place on the ladder
     * @param result what the node answered
     */
    record Escalated(UUID uuid, Txid penaltyTxid, Txid sentTxid, int rung, BroadcastResult result)
        implements OfTracker {}

    /**
     * {@link ResponderListener#penaltyBumped}.
     *
     * @param uuid the tracker
     * @param penaltyTxid its penalty
     * @param childTxid the child sent
     * @param packageFeeRate the feerate the package was to reach
     * @param feeSats the child's fee
     * @param result what the node answered for the child
     */
    record Bumped(UUID uuid, Txid penaltyTxid, Txid childTxid, FeeRate packageFeeRate, long feeSats,
        BroadcastResult result) implements OfTracker {}

    /**
     * {@link ResponderListener#deadlinePassed}.
     *
     * @param uuid the tracker
     * @param penaltyTxid its penalty
     * @param deadlineHeight the height that was the deadline
     */
    record DeadlinePassed(UUID uuid, Txid penaltyTxid, int deadlineHeight) implements OfTracker {}
  }

  /** An event about one tracker (every event but {@link Event.Disconnected}). */
  public sealed interface OfTracker extends Event permits Event.Added, Event.Confirmed, Event.Resent,
      Event.Completed, Event.Expired, Event.Rejected, Event.AtRisk, Event.Escalated, Event.Bumped,
      Event.DeadlinePassed {
    /**
     * Returns the tracker the event is about.
     *
     * @return its uuid
     */
    UUID uuid();

    /**
     * Returns the tracker's penalty.
     *
     * @return its txid
     */
    Txid penaltyTxid();
  }

  private final List<Event> events = new ArrayList<>();

  /** Creates an empty recording. */
  public RecordingListener() {}

  @Override
  public synchronized void trackerAdded(TransactionTracker tracker) {
    events.add(new Event.Added(tracker));
  }

  @Override
  public synchronized void penaltyConfirmed(UUID uuid, Txid penaltyTxid, BlockRef block) {
    events.add(new Event.Confirmed(uuid, penaltyTxid, block));
  }

  @Override
  public synchronized void penaltyResent(UUID uuid, Txid penaltyTxid, ResendReason reason, BroadcastResult result) {
    events.add(new Event.Resent(uuid, penaltyTxid, reason, result));
  }

  @Override
  public synchronized void trackerCompleted(UUID uuid, Txid penaltyTxid, BlockRef tip) {
    events.add(new Event.Completed(uuid, penaltyTxid, tip));
  }

  @Override
  public synchronized void trackerExpired(UUID uuid, Txid penaltyTxid, BlockRef tip) {
    events.add(new Event.Expired(uuid, penaltyTxid, tip));
  }

  @Override
  public synchronized void breachRejected(UUID uuid, Txid penaltyTxid, BroadcastResult.Rejected rejection) {
    events.add(new Event.Rejected(uuid, penaltyTxid, rejection));
  }

  @Override
  public synchronized void blocksDisconnected(BlockRef forkPoint, List<BlockRef> disconnected) {
    events.add(new Event.Disconnected(forkPoint, disconnected));
  }

  @Override
  public synchronized void penaltyAtRisk(UUID uuid, Txid penaltyTxid, int deadlineHeight, int blocksLeft) {
    events.add(new Event.AtRisk(uuid, penaltyTxid, deadlineHeight, blocksLeft));
  }

  @Override
  public synchronized void penaltyEscalated(UUID uuid, Txid penaltyTxid, Txid sentTxid, int rung,
      BroadcastResult result) {
    events.add(new Event.Escalated(uuid, penaltyTxid, sentTxid, rung, result));
  }

  @Override
  public synchronized void penaltyBumped(UUID uuid, Txid penaltyTxid, Txid childTxid, FeeRate packageFeeRate,
      long feeSats, BroadcastResult result) {
    events.add(new Event.Bumped(uuid, penaltyTxid, childTxid, packageFeeRate, feeSats, result));
  }

  @Override
  public synchronized void deadlinePassed(UUID uuid, Txid penaltyTxid, int deadlineHeight) {
    events.add(new Event.DeadlinePassed(uuid, penaltyTxid, deadlineHeight));
  }

  /**
   * Returns every event so far.
   *
   * @return a copy, oldest first
   */
  public synchronized List<Event> events() {
    return List.copyOf(events);
  }

  /**
   * Returns the events of one type.
   *
   * @param <E> the event type
   * @param type the event type, for example {@code Event.Completed.class}
   * @return a copy, oldest first
   */
  public synchronized <E extends Event> List<E> events(Class<E> type) {
    Objects.requireNonNull(type, "type");
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /**
   * Returns the uuids named by events of one type.
   *
   * @param type the event type, for example {@code Event.Completed.class}
   * @return the uuids, oldest first, with repeats
   */
  public synchronized List<UUID> uuids(Class<? extends OfTracker> type) {
    return events(type).stream().map(OfTracker::uuid).toList();
  }

  /**
   * Returns and forgets every event so far.
   *
   * @return the events, oldest first
   */
  public synchronized List<Event> drain() {
    List<Event> out = List.copyOf(events);
    events.clear();
    return out;
  }
}
