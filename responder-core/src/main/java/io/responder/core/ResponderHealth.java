package io.responder.core;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A snapshot of how a Responder is doing, for a host's health endpoint or dashboard: its tip and how
 * far that is behind the node, whether the node answered and the store committed the last time they
 * were called, trackers by state, and the last failure of a port. Read with {@link Responder#health()},
 * which takes no lock: the Responder publishes a new snapshot after each call that can change it,
 * after each connected block, and as soon as a port call fails or recovers.
 *
 * <p>Failures are described by which call failed and the exception's type (or the node's "could not
 * be reached" answer), never by a message, which could carry a node's address or credentials. The
 * core reads no clock, so a failure is placed in time by the tip height it happened at.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class ResponderHealth {
  private static final TrackerState[] STATES = TrackerState.values();

  private final BlockRef tip;
  private final int nodeBestHeight;
  private final boolean nodeReachable;
  private final boolean storeWritable;
  private final int[] trackersByState;
  private final Optional<Failure> lastFailure;

  /**
   * Creates a snapshot.
   *
   * @param tip the last block the Responder processed
   * @param nodeBestHeight the height of the node's best block as last learnt, or -1 when not known
   * @param nodeReachable whether the last call to the node (carrier or block source) succeeded
   * @param storeWritable whether the last store commit succeeded
   * @param trackersByState the number of trackers in each state, indexed by {@link TrackerState#ordinal()}
   * @param lastFailure the last port call that failed, if any
   * @throws InvalidInputException if a count is negative or there is not one per state
   */
  public ResponderHealth(BlockRef tip, int nodeBestHeight, boolean nodeReachable, boolean storeWritable,
      int[] trackersByState, Optional<Failure> lastFailure) {
    this.tip = Objects.requireNonNull(tip, "tip");
    Objects.requireNonNull(trackersByState, "trackersByState");
    this.lastFailure = Objects.requireNonNull(lastFailure, "lastFailure");
    if (trackersByState.length != STATES.length) {
      throw new InvalidInputException("trackersByState", "must have one count per state (" + STATES.length + "), got "
          + trackersByState.length);
    }
    for (int count : trackersByState) {
      if (count < 0) {
        throw new InvalidInputException("trackersByState", "counts must not be negative, got " + count);
      }
    }
    this.nodeBestHeight = Math.max(-1, nodeBestHeight);
    this.nodeReachable = nodeReachable;
    this.storeWritable = storeWritable;
    this.trackersByState = trackersByState.clone();
  }

  /**
   * Returns the last block the Responder processed and committed.
   *
   * @return its tip
   */
  public BlockRef tip() {
    return tip;
  }

  /**
   * Returns the height of the node's best block as last learnt: the block source's last answer for
   * its best block, raised by any higher block the host handed to {@link Responder#onBlock}.
   *
   * @return the height, or empty before the Responder has learnt it
   */
  public OptionalInt nodeBestHeight() {
    return nodeBestHeight < 0 ? OptionalInt.empty() : OptionalInt.of(nodeBestHeight);
  }

  /**
   * Returns how many blocks the tip is behind the node's best block: 0 when caught up; more while a
   * catch-up is under way or was stopped by a failure.
   *
   * @return the blocks behind, or empty when the node's best block is not known
   */
  public OptionalInt blocksBehind() {
    return nodeBestHeight < 0 ? OptionalInt.empty() : OptionalInt.of(Math.max(0, nodeBestHeight - tip.height()));
  }

  /**
   * Returns whether the last call to the node succeeded: a carrier call that was not answered "node
   * unavailable" and did not throw, or a block source call that did not throw. True until a call fails.
   *
   * @return whether the node was reachable at the last call
   */
  public boolean nodeReachable() {
    return nodeReachable;
  }

  /**
   * Returns whether the last store commit succeeded (true before the first). A false here means the
   * Responder reloads from the store before its next call, and blocks are not being committed.
   *
   * @return whether the store took the last commit
   */
  public boolean storeWritable() {
    return storeWritable;
  }

  /**
   * Returns how many trackers are in a state, as of the tip.
   *
   * @param state the state
   * @return the number of trackers in it
   */
  public int trackers(TrackerState state) {
    return trackersByState[Objects.requireNonNull(state, "state").ordinal()];
  }

  /**
   * Returns the trackers waiting for the node to take their penalty, retried on every block.
   *
   * @return the number of {@link TrackerState#PENDING} trackers
   */
  public int pending() {
    return trackers(TrackerState.PENDING);
  }

  /**
   * Returns the number of trackers.
   *
   * @return the trackers in every state
   */
  public int trackerCount() {
    int sum = 0;
    for (int count : trackersByState) {
      sum += count;
    }
    return sum;
  }

  /**
   * Returns the trackers by state. Every state is present, possibly with 0.
   *
   * @return an immutable map from state to count
   */
  public Map<TrackerState, Integer> countsByState() {
    Map<TrackerState, Integer> counts = new EnumMap<>(TrackerState.class);
    for (TrackerState s : STATES) {
      counts.put(s, trackersByState[s.ordinal()]);
    }
    return Collections.unmodifiableMap(counts);
  }

  /**
   * Returns the last port call that failed; it stays until another one fails, so compare it with
   * {@link #nodeReachable()} and {@link #storeWritable()} to know whether the problem persists.
   *
   * @return the failure, or empty if no port call has failed since the Responder started
   */
  public Optional<Failure> lastFailure() {
    return lastFailure;
  }

  /**
   * Returns whether the Responder is doing its work: the node reachable, the store writable, and the
   * tip at most {@code maxBlocksBehind} behind the node's best block (when known).
   *
   * @param maxBlocksBehind how far behind still counts as healthy
   * @return whether all three hold
   * @throws InvalidInputException if {@code maxBlocksBehind} is negative
   */
  public boolean isHealthy(int maxBlocksBehind) {
    if (maxBlocksBehind < 0) {
      throw new InvalidInputException("maxBlocksBehind", "must not be negative, got " + maxBlocksBehind);
    }
    return nodeReachable && storeWritable && blocksBehind().orElse(0) <= maxBlocksBehind;
  }

  /** Equal when every field is: two snapshots of the same state. */
  @Override
  public boolean equals(Object o) {
    return o instanceof ResponderHealth h && tip.equals(h.tip) && nodeBestHeight == h.nodeBestHeight
        && nodeReachable == h.nodeReachable && storeWritable == h.storeWritable
        && Arrays.equals(trackersByState, h.trackersByState) && lastFailure.equals(h.lastFailure);
  }

  @Override
  public int hashCode() {
    return Objects.hash(tip, nodeBestHeight, nodeReachable, storeWritable, Arrays.hashCode(trackersByState), lastFailure);
  }

  @Override
  public String toString() {
    return "ResponderHealth[tip=" + tip.height() + ", nodeBest=" + (nodeBestHeight < 0 ? "unknown" : nodeBestHeight)
        + ", nodeReachable=" + nodeReachable + ", storeWritable=" + storeWritable + ", trackers=" + countsByState()
        + ", lastFailure=" + lastFailure.map(Failure::toString).orElse("none") + "]";
  }

  /**
   * A port call that failed.
   *
   * @param call which call
   * @param kind the exception's simple class name, {@code NodeUnavailable} for a carrier's answer
   *     that the node could not be reached, or {@code NoAnswer} for a carrier that returned null;
   *     never a message
   * @param tipHeight the Responder's tip height when it happened
   */
  public record Failure(ResponderMetrics.PortCall call, String kind, int tipHeight) {
    /** Validates the fields. */
    public Failure {
      Objects.requireNonNull(call, "call");
      Objects.requireNonNull(kind, "kind");
    }
  }
}
