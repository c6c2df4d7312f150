package io.responder.core;

import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

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
 * One Responder calls {@link #commit} from one thread at a time. {@link #find} and {@link #loadTrackers}
 * may be called concurrently with a commit by queries on other threads, so implementations must be
 * thread-safe. Only one Responder may use a store at a time.
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
   * Returns one tracker.
   *
   * @param uuid the tracker's uuid
   * @return the stored tracker, or empty
   */
  Optional<TransactionTracker> find(UUID uuid);

  /**
   * Applies an update atomically.
   *
   * @param update the changes and, when a block moved the tip, the new tip
   */
  void commit(StoreUpdate update);
}
