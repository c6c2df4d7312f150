package io.responder.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * One atomic unit of change for a {@link TrackerStore}: the trackers a breach or a block added, the
 * statuses it changed, the trackers it removed, and the new tip when a block was connected or
 * disconnected. A store applies all of it or none of it.
 *
 * <p>The three groups are disjoint: a uuid is in at most one of them. The collections are immutable;
 * the iteration order of {@code statusChanges} and {@code removed} is unspecified. Instances are immutable and
 * thread-safe.
 *
 * @param added new trackers, in intake order
 * @param statusChanges new statuses of trackers already stored
 * @param removed trackers to delete (completed, expired, or rejected for good)
 * @param tip the new chain position, or empty when the tip does not move (a breach intake)
 * @since 0.1.0
 */
public record StoreUpdate(
    List<TransactionTracker> added,
    Map<UUID, TrackerStatus> statusChanges,
    Set<UUID> removed,
    Optional<BlockRef> tip) {

  /**
   * Validates and copies the components.
   *
   * @throws NullPointerException if a component or element is null
   * @throws IllegalArgumentException if a uuid appears in more than one group
   */
  public StoreUpdate {
    Objects.requireNonNull(tip, "tip");
    // A change set's own parts are taken as they are: immutable and disjoint as made (see StatusChanges).
    if (!(statusChanges instanceof StatusChanges mine && mine.cameWith(added, removed))) {
      added = List.copyOf(Objects.requireNonNull(added, "added"));
      statusChanges = Map.copyOf(Objects.requireNonNull(statusChanges, "statusChanges"));
      removed = Set.copyOf(Objects.requireNonNull(removed, "removed"));
      checkDisjoint(added, statusChanges, removed);
    }
  }

  private static void checkDisjoint(List<TransactionTracker> added, Map<UUID, TrackerStatus> statusChanges, Set<UUID> removed) {
    Map<UUID, String> seen = new LinkedHashMap<>();
    for (TransactionTracker t : added) {
      if (seen.put(t.uuid(), "added") != null) {
        throw new IllegalArgumentException("uuid " + t.uuid() + " is added twice");
      }
    }
    for (UUID u : statusChanges.keySet()) {
      if (seen.put(u, "statusChanges") != null) {
        throw new IllegalArgumentException("uuid " + u + " is both added and changed");
      }
    }
    for (UUID u : removed) {
      String other = seen.put(u, "removed");
      if (other != null) {
        throw new IllegalArgumentException("uuid " + u + " is in both " + other + " and removed");
      }
    }
  }

  /**
   * Returns whether the update changes nothing but possibly the tip.
   *
   * @return true when no tracker is added, changed or removed
   */
  public boolean touchesNoTracker() {
    return added.isEmpty() && statusChanges.isEmpty() && removed.isEmpty();
  }
}
