package io.responder.benchmarks;

import io.responder.core.BlockRef;
import io.responder.core.StoreUpdate;
import io.responder.core.TrackerStore;
import io.responder.core.TransactionTracker;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A store that keeps nothing but the tip: what a Responder retains over it is exactly its own
 * structures, as over a durable store that keeps its records on disk. Useful for heap measurements
 * only: without stored raw penalties the Responder cannot rebroadcast. Called from one thread.
 */
public final class DiscardingStore implements TrackerStore {
  private BlockRef tip;

  /** Creates an empty store. */
  public DiscardingStore() {}

  @Override
  public Optional<BlockRef> loadTip() {
    return Optional.ofNullable(tip);
  }

  @Override
  public void loadTrackers(Consumer<TransactionTracker> sink) {}

  @Override
  public Optional<TransactionTracker> find(UUID uuid) {
    return Optional.empty();
  }

  @Override
  public void commit(StoreUpdate update) {
    update.tip().ifPresent(t -> tip = t);
  }
}
