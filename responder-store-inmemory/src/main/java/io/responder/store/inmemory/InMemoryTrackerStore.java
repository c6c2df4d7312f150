package io.responder.store.inmemory;

import io.responder.core.BlockRef;
import io.responder.core.InvalidInputException;
import io.responder.core.StoreUpdate;
import io.responder.core.TrackerPage;
import io.responder.core.TrackerStatus;
import io.responder.core.TrackerStore;
import io.responder.core.TransactionTracker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A {@link TrackerStore} in memory, for tests and for hosts that persist trackers elsewhere.
 *
 * <p>It honours the same contract as a durable store: each {@link #commit(StoreUpdate)} is applied
 * whole or not at all (an update that adds a uuid already stored is refused before anything changes),
 * and a Responder built over the same instance later sees exactly the committed state. Nothing
 * survives the process, of course.
 *
 * <p>Trackers are kept in a hash table keyed by uuid (a status change is one probe), and their uuids
 * also in buckets by {@link TrackerPage#ORDER}, appended to when a tracker is added (a removed one's
 * entry is left for a page to skip and a full bucket to drop), so {@link #loadPage} reads and sorts
 * only the buckets of its page.
 *
 * <p>Instances are thread-safe: every method holds the instance's monitor, so readers never see half
 * an update.
 *
 * @since 0.1.0
 */
public final class InMemoryTrackerStore implements TrackerStore {
  private final TrackerTable trackers = new TrackerTable();
  private final UuidOrder ordered = new UuidOrder(trackers::contains);
  private @Nullable BlockRef tip;
  private long commits;

  /** Creates an empty store. */
  public InMemoryTrackerStore() {}

  @Override
  public synchronized Optional<BlockRef> loadTip() {
    return Optional.ofNullable(tip);
  }

  @Override
  public void loadTrackers(Consumer<TransactionTracker> sink) {
    Objects.requireNonNull(sink, "sink");
    List<TransactionTracker> copy;
    synchronized (this) {
      copy = trackers.all();
    }
    // The sink runs outside the monitor so a slow consumer does not block commits.
    copy.forEach(sink);
  }

  @Override
  public synchronized List<TransactionTracker> loadPage(@Nullable UUID after, int limit) {
    if (limit < 1) {
      throw new InvalidInputException("limit", "must be positive, got " + limit);
    }
    List<TransactionTracker> page = new ArrayList<>(Math.min(limit, trackers.size()));
    for (UUID u : ordered.after(after, limit)) {
      page.add(trackers.get(u));
    }
    return page;
  }

  @Override
  public synchronized Optional<TransactionTracker> find(UUID uuid) {
    return Optional.ofNullable(trackers.get(Objects.requireNonNull(uuid, "uuid")));
  }

  /** Under one hold of the monitor: a rebroadcast storm's reads are one call, not one each. */
  @Override
  public synchronized List<@Nullable TransactionTracker> findAll(List<UUID> uuids) {
    Objects.requireNonNull(uuids, "uuids");
    for (UUID u : uuids) {
      Objects.requireNonNull(u, "uuid");
    }
    List<@Nullable TransactionTracker> found = new ArrayList<>(uuids.size());
    trackers.getAll(uuids, found);
    return found;
  }

  /**
   * 1,000: a read here costs no round trip, only the cache misses of its trackers, so a smaller
   * batch loses nothing per call and keeps what the Responder reads and builds for one batch in the
   * processor's cache until it is sent and settled. A rebroadcast storm of a million took about a
   * fifth less of the Responder's time than in batches of 10,000 (issue 16, fifteenth round in
   * BENCHMARKS.md).
   */
  @Override
  public int findAllBatchSize() {
    return 1_000;
  }

  @Override
  public synchronized void commit(StoreUpdate update) {
    Objects.requireNonNull(update, "update");
    for (TransactionTracker t : update.added()) {
      if (trackers.contains(t.uuid())) {
        throw new IllegalStateException("tracker " + t.uuid() + " is already stored; nothing was committed");
      }
    }
    // The status changes as arrays (read before anything changes), written in passes.
    Map<UUID, TrackerStatus> changes = update.statusChanges();
    long[] words = new long[2 * changes.size()];
    TrackerStatus[] statuses = new TrackerStatus[changes.size()];
    int[] at = {0};
    changes.forEach((u, s) -> {
      int i = at[0]++;
      words[2 * i] = u.getMostSignificantBits();
      words[2 * i + 1] = u.getLeastSignificantBits();
      statuses[i] = s;
    });
    for (TransactionTracker t : update.added()) {
      trackers.add(t);
      ordered.add(t.uuid());
    }
    trackers.setStatuses(words, statuses);
    long[] removed = new long[2 * update.removed().size()];
    int r = 0;
    for (UUID u : update.removed()) {
      removed[r++] = u.getMostSignificantBits();
      removed[r++] = u.getLeastSignificantBits();
    }
    trackers.removeAll(removed); // and so from the uuid order, which skips what the table no longer holds
    update.tip().ifPresent(t -> tip = t);
    commits++;
  }

  /**
   * Returns how many trackers are stored.
   *
   * @return the count
   */
  public synchronized int size() {
    return trackers.size();
  }

  /**
   * Returns how many updates were committed; lets tests assert that an operation wrote nothing.
   *
   * @return the number of successful commits
   */
  public synchronized long commitCount() {
    return commits;
  }

  /**
   * Returns an immutable copy of the stored trackers, keyed by uuid.
   *
   * @return the snapshot
   */
  public synchronized Map<UUID, TransactionTracker> snapshot() {
    Map<UUID, TransactionTracker> copy = new HashMap<>();
    for (TransactionTracker t : trackers.all()) {
      copy.put(t.uuid(), t);
    }
    return Map.copyOf(copy);
  }
}
