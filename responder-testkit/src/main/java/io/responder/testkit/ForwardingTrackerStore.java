package io.responder.testkit;

import io.responder.core.BlockRef;
import io.responder.core.StoreUpdate;
import io.responder.core.TrackerStore;
import io.responder.core.TransactionTracker;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A {@link TrackerStore} that forwards every call to {@link #delegate()}: extend it and override only
 * what the test changes (a commit that fails, one that is observed, one that loses data).
 *
 * <p>{@link TrackerStore#findAll} is the one method not forwarded: it keeps the interface's default,
 * which calls {@link #find} for each uuid, so that a subclass that overrides {@code find} (a read
 * that fails, one that is counted) sees every read. A subclass that wants the delegate's batched
 * read overrides {@code findAll} too.
 *
 * <p>Thread-safety is the delegate's, plus whatever the subclass adds.
 *
 * @since 0.1.0
 */
public abstract class ForwardingTrackerStore implements TrackerStore {
  /** For subclasses. */
  protected ForwardingTrackerStore() {}

  /**
   * Returns the store calls are forwarded to; may change between calls (a store reopened after a
   * simulated restart).
   *
   * @return the current delegate
   */
  protected abstract TrackerStore delegate();

  @Override
  public Optional<BlockRef> loadTip() {
    return delegate().loadTip();
  }

  @Override
  public void loadTrackers(Consumer<TransactionTracker> sink) {
    delegate().loadTrackers(sink);
  }

  @Override
  public Optional<TransactionTracker> find(UUID uuid) {
    return delegate().find(uuid);
  }

  @Override
  public java.util.List<TransactionTracker> loadPage(@org.jspecify.annotations.Nullable UUID after, int limit) {
    return delegate().loadPage(after, limit);
  }

  /** The delegate's: its reads are the ones a batch costs. */
  @Override
  public int findAllBatchSize() {
    return delegate().findAllBatchSize();
  }

  @Override
  public void commit(StoreUpdate update) {
    delegate().commit(update);
  }
}
