package io.responder.benchmarks;

import io.responder.core.BlockRef;
import io.responder.core.StoreUpdate;
import io.responder.core.TrackerStore;
import io.responder.core.TransactionTracker;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A store that adds up the time spent inside another store's block-time calls ({@link #commit},
 * {@link #find}, {@link #findAll}), so that a replay can tell the Responder's own work from the
 * store's, as it tells it from the stand-in node's. Each call is timed once, around the whole call:
 * two clock reads a call, a handful of calls a block. Called from one thread.
 */
final class TimedStore implements TrackerStore {
  private final TrackerStore store;
  private long readNanos;
  private long commitNanos;

  TimedStore(TrackerStore store) {
    this.store = store;
  }

  /** Nanoseconds spent inside the timed calls so far. */
  long nanos() {
    return readNanos + commitNanos;
  }

  /** Nanoseconds spent inside {@link #find} and {@link #findAll} so far. */
  long readNanos() {
    return readNanos;
  }

  /** Nanoseconds spent inside {@link #commit} so far. */
  long commitNanos() {
    return commitNanos;
  }

  @Override
  public Optional<BlockRef> loadTip() {
    return store.loadTip();
  }

  @Override
  public void loadTrackers(Consumer<TransactionTracker> sink) {
    store.loadTrackers(sink);
  }

  @Override
  public List<TransactionTracker> loadPage(@Nullable UUID after, int limit) {
    return store.loadPage(after, limit);
  }

  @Override
  public Optional<TransactionTracker> find(UUID uuid) {
    long t = System.nanoTime();
    try {
      return store.find(uuid);
    } finally {
      readNanos += System.nanoTime() - t;
    }
  }

  @Override
  public List<@Nullable TransactionTracker> findAll(List<UUID> uuids) {
    long t = System.nanoTime();
    try {
      return store.findAll(uuids);
    } finally {
      readNanos += System.nanoTime() - t;
    }
  }

  @Override
  public int findAllBatchSize() {
    return store.findAllBatchSize();
  }

  @Override
  public void commit(StoreUpdate update) {
    long t = System.nanoTime();
    try {
      store.commit(update);
    } finally {
      commitNanos += System.nanoTime() - t;
    }
  }
}
