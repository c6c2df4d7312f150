package io.responder.testkit.sim;

import io.responder.core.StoreUpdate;
import io.responder.core.TrackerStore;
import io.responder.testkit.ForwardingTrackerStore;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;

/**
 * A {@link TrackerStore} wrapper whose commits fail on command, as a full disk or a dropped database
 * connection makes them fail: either before anything is applied (what the {@code TrackerStore}
 * contract allows), or after the update was applied when only the acknowledgement is lost (what a
 * database commit whose connection drops at the wrong moment does). Reads pass through.
 *
 * <p>Instances are thread-safe as far as the delegate is; the fault queue is guarded by the
 * instance's monitor.
 *
 * @since 0.1.0
 */
public final class FaultyTrackerStore extends ForwardingTrackerStore {
  /** How a commit fails. */
  public enum CommitFault {
    /** Nothing is applied and the commit throws. */
    APPLY_NOTHING,
    /** The update is applied, then the commit throws as if the acknowledgement were lost. */
    APPLY_THEN_THROW
  }

  /** The failure a faulty commit throws. */
  public static final class InjectedFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final CommitFault fault;

    InjectedFailure(CommitFault fault) {
      super(fault == CommitFault.APPLY_NOTHING ? "store failure injected by the test: nothing committed"
          : "store failure injected by the test: committed, but the acknowledgement was lost");
      this.fault = fault;
    }

    /**
     * Returns how the commit failed.
     *
     * @return whether the update was applied
     */
    public CommitFault fault() {
      return fault;
    }
  }

  private volatile TrackerStore delegate;
  private final Deque<CommitFault> faults = new ArrayDeque<>();
  private long failures;

  /**
   * Wraps a store.
   *
   * @param delegate the store that holds the data
   */
  public FaultyTrackerStore(TrackerStore delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /**
   * Makes the next commit that has no fault queued yet fail.
   *
   * @param fault how it fails
   */
  public synchronized void failNextCommit(CommitFault fault) {
    faults.addLast(Objects.requireNonNull(fault, "fault"));
  }

  /** Forgets every queued fault. */
  public synchronized void clearFaults() {
    faults.clear();
  }

  /**
   * Returns how many commits failed on command.
   *
   * @return the count
   */
  public synchronized long failures() {
    return failures;
  }

  /**
   * Returns the wrapped store.
   *
   * @return the delegate
   */
  @Override
  public TrackerStore delegate() {
    return delegate;
  }

  /** Swaps in the same data reopened after a simulated process restart; queued faults carry over. */
  void replaceDelegate(TrackerStore reopened) {
    this.delegate = Objects.requireNonNull(reopened, "reopened");
  }

  @Override
  public void commit(StoreUpdate update) {
    CommitFault fault;
    synchronized (this) {
      fault = faults.pollFirst();
      if (fault != null) {
        failures++;
      }
    }
    if (fault == CommitFault.APPLY_NOTHING) {
      throw new InjectedFailure(fault);
    }
    delegate.commit(update);
    if (fault == CommitFault.APPLY_THEN_THROW) {
      throw new InjectedFailure(fault);
    }
  }
}
