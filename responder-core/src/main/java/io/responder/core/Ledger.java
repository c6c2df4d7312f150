package io.responder.core;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * The store side of the Responder: commits change sets whole and delivers their events after, and
 * knows when memory may have run ahead of the store.
 *
 * <p>The rule it keeps: in-memory state is only ever the store's state plus the call in progress.
 * When a call fails part way (a commit that failed or whose acknowledgement was lost, a store read
 * failing mid-block, a port throwing what it should not), the state is marked stale and reloaded
 * from the store before the next call, so a block is applied whole or, to the host retrying it, not
 * at all. Mutable, confined to the Responder's lock.
 */
final class Ledger {
  private final TrackerStore store;
  private final ResponderListener listener;
  /** Told after the host's listener: the metrics' event counts. */
  private final ResponderListener counter;
  /** True until the state is loaded from the store, and again after a call failed part way. */
  private boolean stale = true;

  Ledger(TrackerStore store, ResponderListener listener) {
    this(store, listener, ResponderListener.NONE);
  }

  Ledger(TrackerStore store, ResponderListener listener, ResponderListener counter) {
    this.store = store;
    this.listener = listener;
    this.counter = counter;
  }

  TrackerStore store() {
    return store;
  }

  /** Commits the changes with {@code tip} (empty: the tip stays), then tells the listener. */
  void commit(ChangeSet changes, Optional<BlockRef> tip) {
    persist(changes, tip);
    tell(changes);
  }

  /** Commits without telling the listener yet: for a caller that updates memory in between. */
  void persist(ChangeSet changes, Optional<BlockRef> tip) {
    try {
      store.commit(changes.toUpdate(tip));
    } catch (RuntimeException e) {
      // The store may have applied the update before failing (a database whose acknowledgement was
      // lost): memory must not guess, it reloads.
      stale = true;
      throw e;
    }
  }

  /** Delivers the events of changes that are durable, or that needed no commit. */
  void tell(ChangeSet changes) {
    changes.fire(listener);
    if (counter != ResponderListener.NONE) {
      changes.fire(counter);
    }
  }

  /** Runs work that changes memory before it commits: a failure inside marks the state stale. */
  <T> T guarded(Supplier<T> work) {
    try {
      return work.get();
    } catch (RuntimeException | Error e) {
      stale = true;
      throw e;
    }
  }

  void guarded(Runnable work) {
    guarded(() -> {
      work.run();
      return null;
    });
  }

  boolean isStale() {
    return stale;
  }

  void markLoaded() {
    stale = false;
  }
}
