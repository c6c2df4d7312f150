package io.responder.store.jdbc;

import io.responder.core.BlockRef;
import io.responder.core.StoreUpdate;
import io.responder.core.TrackerStore;
import io.responder.core.TransactionTracker;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The store under contract test, as one object across restarts: {@link #reopen()} closes the
 * current {@link JdbcTrackerStore} and opens the database again behind the same reference.
 *
 * <p>Why: {@code TrackerStoreContract.addedTrackersComeBackFieldForField} evaluates
 * {@code List.of(store, reopen(store))} and then reads from the first element, which a durable
 * store's reopen has closed (and must close: the database admits one store at a time). Until the
 * test kit reads before reopening, the contract tests hand out this wrapper; every restart still
 * closes and reopens the real database.
 */
final class ReopenableStore implements TrackerStore {
  private final TestDatabase db;
  private JdbcTrackerStore current;

  ReopenableStore(TestDatabase db) {
    this.db = db;
    this.current = db.open();
  }

  ReopenableStore reopen() {
    current = db.reopen(current);
    return this;
  }

  @Override
  public Optional<BlockRef> loadTip() {
    return current.loadTip();
  }

  @Override
  public void loadTrackers(Consumer<TransactionTracker> sink) {
    current.loadTrackers(sink);
  }

  @Override
  public Optional<TransactionTracker> find(UUID uuid) {
    return current.find(uuid);
  }

  @Override
  public void commit(StoreUpdate update) {
    current.commit(update);
  }
}
