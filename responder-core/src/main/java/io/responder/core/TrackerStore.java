package io.responder.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Where the Responder persists its trackers and its last processed block, so that a restart resumes
 * exactly where it stopped.
 *
 * <h2>Requirements</h2>
 * <ul>
 *   <li>{@link #commit(StoreUpdate)} is atomic: after a crash at any point, a reload sees either all
 *       of an update or none of it. It is durable when it returns (for a durable store).
 *   <li>Reloading gives exactly the committed state: every tracker (with its latest status) that was
 *       added and not removed, and the latest committed tip.
 *   <li>A status change or removal of a uuid the store does not hold is ignored, so replaying an
 *       update is harmless.
 * </ul>
 * {@code responder-testkit}'s {@code TrackerStoreContract} checks all of this; extend it to test your
 * own store.
 *
 * <h2>Threading</h2>
 * One Responder calls {@link #commit} from one thread at a time. {@link #find}, {@link #loadTrackers}
 * and {@link #loadPage} are called by queries on other threads, concurrently with a commit and
 * without the Responder's lock (so that a query never holds up a block), so implementations must be
 * thread-safe, and a read must see a committed state, never half an update. Only one Responder may
 * use a store at a time.
 *
 * <h2>Errors</h2>
 * A {@link RuntimeException} from {@link #commit} means the update was not applied. The Responder
 * rethrows it to its caller, and before its next call reloads its state from the store, so memory and
 * store never disagree.
 *
 * @since 0.1.0
 */
public interface TrackerStore {
  /**
   * Returns the last committed tip.
   *
   * @return the tip, or empty for a store that was never committed to
   */
  Optional<BlockRef> loadTip();

  /**
   * Hands every stored tracker to {@code sink}, in no particular order. Implementations may stream
   * from disk; the Responder keeps only what its indexes need.
   *
   * @param sink receives each tracker once
   * @throws InvalidInputException if a stored tracker is corrupt, naming the tracker
   */
  void loadTrackers(Consumer<TransactionTracker> sink);

  /**
   * Returns up to {@code limit} trackers whose uuid comes after {@code after} in
   * {@link TrackerPage#ORDER}, in that order: one page of an administrator's listing. A page is read
   * from one committed state.
   *
   * <p>The default reads every tracker through {@link #loadTrackers} and keeps the first
   * {@code limit}, which costs a read of the whole store per page (O(n log limit)); a store that can
   * seek by uuid (an index, a sorted map) overrides it to read only the page.
   *
   * @param after the last uuid of the previous page, or null for the first page
   * @param limit the most trackers to return, positive
   * @return the page, in {@link TrackerPage#ORDER}; fewer than {@code limit} only when no more follow
   * @throws InvalidInputException if {@code limit} is not positive, or a stored tracker is corrupt
   */
  default List<TransactionTracker> loadPage(@Nullable UUID after, int limit) {
    if (limit < 1) {
      throw new InvalidInputException("limit", "must be positive, got " + limit);
    }
    // The limit smallest uuids after the cursor; the head of the queue is the largest kept.
    PriorityQueue<TransactionTracker> kept =
        new PriorityQueue<>((a, b) -> TrackerPage.ORDER.compare(b.uuid(), a.uuid()));
    loadTrackers(t -> {
      if (after != null && TrackerPage.ORDER.compare(t.uuid(), after) <= 0) {
        return;
      }
      if (kept.size() < limit) {
        kept.add(t);
      } else if (TrackerPage.ORDER.compare(t.uuid(), Objects.requireNonNull(kept.peek()).uuid()) < 0) {
        kept.poll();
        kept.add(t);
      }
    });
    List<TransactionTracker> page = new ArrayList<>(kept);
    page.sort((a, b) -> TrackerPage.ORDER.compare(a.uuid(), b.uuid()));
    return page;
  }

  /**
   * Returns one tracker.
   *
   * @param uuid the tracker's uuid
   * @return the stored tracker, or empty
   */
  Optional<TransactionTracker> find(UUID uuid);

  /**
   * Returns several trackers at once, as {@link #find} returns each: the Responder reads the raw
   * penalties of a rebroadcast (up to every tracked penalty in one block) this way, in batches. The
   * default calls {@code find} for each uuid in turn; a store that can read them in fewer round trips
   * or under one lock overrides it. A read sees a committed state, as {@code find} does.
   *
   * @param uuids the uuids, possibly none; the list is not kept
   * @return one element per uuid, in the same order: the stored tracker, or null where none is stored
   * @throws NullPointerException if the list or one of its elements is null
   */
  default List<@Nullable TransactionTracker> findAll(List<UUID> uuids) {
    Objects.requireNonNull(uuids, "uuids");
    List<@Nullable TransactionTracker> found = new ArrayList<>(uuids.size());
    for (UUID u : uuids) {
      found.add(find(Objects.requireNonNull(u, "uuid")).orElse(null));
    }
    return found;
  }

  /**
   * The most uuids the Responder hands {@link #findAll} in one call when a block reads many trackers:
   * a rebroadcast storm (every unconfirmed penalty at once) or a reorganisation sending penalties
   * back. Each batch is read, sent to the node and settled before the next batch is read, so the
   * size trades the store's cost per call against what one batch keeps in memory.
   *
   * <p>The default, 10,000, suits a store whose every read is a round trip or a connection: a storm
   * of a million is a hundred reads. A store whose reads cost only memory accesses does better with
   * smaller batches, whose trackers, and what the Responder builds from them, are still in the
   * processor's cache when they are sent and settled; the in-memory store answers 1,000.
   *
   * <p>Read once, when the Responder starts.
   *
   * @return a positive number of uuids
   */
  default int findAllBatchSize() {
    return 10_000;
  }

  /**
   * Applies an update atomically: all of it or none of it, also when it throws. A commit that throws
   * after applying the update (the acknowledgement lost with the connection) is allowed: the
   * Responder then reads the store ({@link #find}, {@link #loadTip}) to learn whether the update is
   * held, and goes on if it is.
   *
   * @param update the changes and, when a block moved the tip, the new tip
   */
  void commit(StoreUpdate update);
}
