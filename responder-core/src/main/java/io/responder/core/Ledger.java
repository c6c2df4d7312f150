package io.responder.core;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store side of the Responder: commits change sets whole and delivers their events after, and
 * knows when memory may have run ahead of the store.
 *
 * <p>The rule it keeps: in-memory state is only ever the store's state plus the call in progress.
 * When a call fails part way (a commit that failed or whose acknowledgement was lost, a store read
 * failing mid-block, a port throwing what it should not), the state is marked stale and reloaded
 * from the store before the next call, so a block is applied whole or, to the host retrying it, not
 * at all.
 *
 * <p>A commit that throws may still have been applied: a database that committed, then lost the
 * connection before it could say so. The store is read at once to tell. Applied, the commit stands
 * and the call goes on, so its events are told as any others (lost, they would leave the host
 * unaware of trackers that ended). Not applied, or the store cannot be read, the call fails as
 * above. Mutable, confined to the Responder's lock.
 */
final class Ledger {
  private static final Logger log = LoggerFactory.getLogger(Responder.class);

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
    StoreUpdate update = changes.toUpdate(tip);
    try {
      store.commit(update);
    } catch (RuntimeException e) {
      if (heldAfterAll(update)) {
        log.atWarn().addKeyValue("exception", e.toString())
            .log("store commit threw, but the store holds the update: its acknowledgement was lost; carrying on");
        return;
      }
      // Not applied, or not known: memory must not guess, it reloads.
      stale = true;
      throw e;
    }
  }

  /**
   * Whether the store holds {@code update} after a commit of it threw. It applies all of an update or
   * none, so one part tells: an addition or a removal (the Responder adds only trackers the store
   * lacks and removes only trackers it holds), else the tip (every block's commit moves it), else
   * every status (all equal to the update's: memory and store agree either way). False when the
   * store cannot be read either.
   */
  private boolean heldAfterAll(StoreUpdate update) {
    try {
      if (!update.removed().isEmpty()) {
        return store.find(update.removed().iterator().next()).isEmpty();
      }
      if (!update.added().isEmpty()) {
        return store.find(update.added().get(0).uuid()).isPresent();
      }
      if (update.tip().isPresent()) {
        return update.tip().equals(store.loadTip());
      }
      for (Map.Entry<UUID, TrackerStatus> changed : update.statusChanges().entrySet()) {
        Optional<TransactionTracker> held = store.find(changed.getKey());
        if (held.isEmpty() || !held.get().status().equals(changed.getValue())) {
          return false;
        }
      }
      return true; // changes no tracker and no tip: nothing to tell apart
    } catch (RuntimeException readFailed) {
      return false;
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
