package io.responder.testkit.sim;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * What simulations exercised, counted so a run can show it covered what it claims: histories,
 * steps, reorganisations, crashes, faults, and the outcomes the Responder reported. Not thread-safe:
 * one instance per simulation, {@linkplain #add(SimulationStats) added} together afterwards.
 *
 * @since 0.1.0
 */
public final class SimulationStats {
  /** The things counted. */
  public enum Counter {
    /** Histories run (shrinking runs are not counted). */
    HISTORIES,
    /** Steps run, settling blocks excluded. */
    STEPS,
    /** Blocks mined on any branch. */
    BLOCKS_MINED,
    /** Calls to {@code onBlock}. */
    BLOCKS_DELIVERED,
    /** Calls to {@code blockDisconnected}. */
    DISCONNECTIONS_REPORTED,
    /** Blocks mined that the host never reported. */
    BLOCKS_SKIPPED,
    /** Breaches handed over (retries included). */
    BREACHES,
    /** Breaches sharing their penalty with an earlier appointment. */
    SHARED_PENALTIES,
    /** Breaches whose penalty was already mined when handed over. */
    ALREADY_MINED_PENALTIES,
    /** Penalties (or disputes) evicted from the mempool. */
    MEMPOOL_DROPS,
    /** Reorganisations, any depth. */
    REORGS,
    /** Reorganisations deeper than the Responder's window. */
    DEEP_REORGS,
    /** Times the Responder was thrown away and rebuilt from the store. */
    RESTARTS,
    /** Restarts with the block source unreachable, checked against the committed state. */
    CHECKED_RESTARTS,
    /** Process deaths in the middle of a call. */
    DEATHS_MID_CALL,
    /** Store commits that failed and applied nothing. */
    FAILED_COMMITS,
    /** Store commits that were applied but reported a failure. */
    LOST_ACKS,
    /** Node outages and warm-ups. */
    NODE_FAULTS,
    /** Block source outages alone. */
    SOURCE_FAULTS,
    /** Unchecked port failures armed (store reads, block source, carrier). */
    PORT_FAULTS,
    /** Responder calls that failed on an injected unchecked port failure (each retried by the host). */
    PORT_FAILURES,
    /** Times the node stalled behind the chain the watcher sees. */
    NODE_LAGS,
    /** Reorganisations after which the node's mempool lacked the disconnected transactions. */
    FLUSHING_REORGS,
    /** Times the node came back and the host called {@code syncWithBlockSource()}. */
    NODE_RETURNS,
    /** Rejections scripted with a bitcoind error code. */
    REJECTIONS_SCRIPTED,
    /** Trackers completed (reported by the listener). */
    COMPLETIONS,
    /** Trackers expired. */
    EXPIRIES,
    /** Breaches rejected for good. */
    REJECTIONS,
    /** Penalty rebroadcasts reported. */
    REBROADCASTS,
    /** Blocks mined after the history to let every tracker finish. */
    SETTLING_BLOCKS,
    /** Histories that failed. */
    FAILURES
  }

  private final Map<Counter, Long> counts = new EnumMap<>(Counter.class);

  /** Creates zeroed counters. */
  public SimulationStats() {
    for (Counter c : Counter.values()) {
      counts.put(c, 0L);
    }
  }

  /**
   * Returns a count.
   *
   * @param counter what
   * @return how many
   */
  public long get(Counter counter) {
    return counts.get(Objects.requireNonNull(counter, "counter"));
  }

  void inc(Counter counter) {
    add(counter, 1);
  }

  void add(Counter counter, long n) {
    counts.merge(counter, n, Long::sum);
  }

  /**
   * Adds another run's counts to these.
   *
   * @param other the counts to add
   */
  public void add(SimulationStats other) {
    for (Counter c : Counter.values()) {
      add(c, other.get(c));
    }
  }

  /**
   * Returns the counts on one line, for a test's output.
   *
   * @return the summary
   */
  public String summary() {
    return get(Counter.HISTORIES) + " histories, " + get(Counter.STEPS) + " steps, "
        + get(Counter.BLOCKS_MINED) + " blocks mined (" + get(Counter.BLOCKS_SKIPPED) + " never reported), "
        + get(Counter.BLOCKS_DELIVERED) + " onBlock calls, " + get(Counter.DISCONNECTIONS_REPORTED) + " disconnections reported, "
        + get(Counter.BREACHES) + " breaches (" + get(Counter.SHARED_PENALTIES) + " sharing a penalty, "
        + get(Counter.ALREADY_MINED_PENALTIES) + " already mined), " + get(Counter.MEMPOOL_DROPS) + " mempool evictions, "
        + get(Counter.REORGS) + " reorgs (" + get(Counter.DEEP_REORGS) + " deeper than the window), "
        + get(Counter.RESTARTS) + " restarts (" + get(Counter.CHECKED_RESTARTS) + " checked against the store, "
        + get(Counter.DEATHS_MID_CALL) + " deaths mid-call), " + get(Counter.FAILED_COMMITS) + " failed commits, "
        + get(Counter.LOST_ACKS) + " lost commit acks, " + get(Counter.NODE_FAULTS) + " node faults, "
        + get(Counter.SOURCE_FAULTS) + " block source faults, " + get(Counter.REJECTIONS_SCRIPTED) + " scripted rejections, "
        + get(Counter.PORT_FAULTS) + " unchecked port faults armed (" + get(Counter.PORT_FAILURES) + " calls failed and retried), "
        + get(Counter.NODE_LAGS) + " node lags, " + get(Counter.FLUSHING_REORGS) + " reorgs with the mempool lost, "
        + get(Counter.NODE_RETURNS) + " node returns synced; "
        + "outcomes: " + get(Counter.COMPLETIONS) + " completions, " + get(Counter.EXPIRIES) + " expiries, "
        + get(Counter.REJECTIONS) + " rejections, " + get(Counter.REBROADCASTS) + " rebroadcasts; "
        + get(Counter.SETTLING_BLOCKS) + " settling blocks; " + get(Counter.FAILURES) + " failures";
  }

  @Override
  public String toString() {
    return summary();
  }
}
