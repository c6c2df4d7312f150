package io.responder.testkit;

import io.responder.core.BlockRef;
import io.responder.core.BroadcastResult;
import io.responder.core.ResponderListener;
import io.responder.core.TransactionTracker;
import io.responder.core.Txid;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ResponderListener} that records every event, so tests can assert what the Responder told
 * the host, in order. Instances are thread-safe.
 *
 * @since 0.1.0
 */
public final class RecordingListener implements ResponderListener {
  /** What happened. */
  public enum Kind {
    /** {@link ResponderListener#trackerAdded}. */
    ADDED,
    /** {@link ResponderListener#penaltyConfirmed}. */
    CONFIRMED,
    /** {@link ResponderListener#penaltyRebroadcast}. */
    REBROADCAST,
    /** {@link ResponderListener#trackerCompleted}. */
    COMPLETED,
    /** {@link ResponderListener#trackerExpired}. */
    EXPIRED,
    /** {@link ResponderListener#breachRejected}. */
    REJECTED,
    /** {@link ResponderListener#blocksDisconnected}. */
    DISCONNECTED
  }

  /**
   * One recorded event.
   *
   * @param kind what happened
   * @param uuid the tracker, or null for {@link Kind#DISCONNECTED}
   * @param txid the penalty, or null for {@link Kind#DISCONNECTED}
   * @param height the block height the event names (confirming block, tip, fork point), or -1
   * @param result the broadcast answer for {@link Kind#REBROADCAST} and {@link Kind#REJECTED}, else null
   * @param disconnected the disconnected blocks for {@link Kind#DISCONNECTED}, else empty
   */
  public record Event(Kind kind, @Nullable UUID uuid, @Nullable Txid txid, int height, @Nullable BroadcastResult result,
      List<BlockRef> disconnected) {
    /** Copies the list. */
    public Event {
      disconnected = List.copyOf(disconnected);
    }
  }

  private final List<Event> events = new ArrayList<>();

  /** Creates an empty recording. */
  public RecordingListener() {}

  @Override
  public synchronized void trackerAdded(TransactionTracker tracker) {
    events.add(new Event(Kind.ADDED, tracker.uuid(), tracker.penaltyTxid(), -1, null, List.of()));
  }

  @Override
  public synchronized void penaltyConfirmed(UUID uuid, Txid penaltyTxid, BlockRef block) {
    events.add(new Event(Kind.CONFIRMED, uuid, penaltyTxid, block.height(), null, List.of()));
  }

  @Override
  public synchronized void penaltyRebroadcast(UUID uuid, Txid penaltyTxid, BroadcastResult result) {
    events.add(new Event(Kind.REBROADCAST, uuid, penaltyTxid, -1, result, List.of()));
  }

  @Override
  public synchronized void trackerCompleted(UUID uuid, Txid penaltyTxid, BlockRef tip) {
    events.add(new Event(Kind.COMPLETED, uuid, penaltyTxid, tip.height(), null, List.of()));
  }

  @Override
  public synchronized void trackerExpired(UUID uuid, Txid penaltyTxid, BlockRef tip) {
    events.add(new Event(Kind.EXPIRED, uuid, penaltyTxid, tip.height(), null, List.of()));
  }

  @Override
  public synchronized void breachRejected(UUID uuid, Txid penaltyTxid, BroadcastResult.Rejected rejection) {
    events.add(new Event(Kind.REJECTED, uuid, penaltyTxid, -1, rejection, List.of()));
  }

  @Override
  public synchronized void blocksDisconnected(BlockRef forkPoint, List<BlockRef> disconnected) {
    events.add(new Event(Kind.DISCONNECTED, null, null, forkPoint.height(), null, disconnected));
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
   * Returns the events of one kind.
   *
   * @param kind the kind
   * @return a copy, oldest first
   */
  public synchronized List<Event> events(Kind kind) {
    return events.stream().filter(e -> e.kind() == kind).toList();
  }

  /**
   * Returns the uuids named by events of one kind.
   *
   * @param kind the kind
   * @return the uuids, oldest first, with repeats
   */
  public synchronized List<UUID> uuids(Kind kind) {
    return events.stream().filter(e -> e.kind() == kind).map(Event::uuid).toList();
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
