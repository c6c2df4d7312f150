package io.responder.core;

import io.responder.core.internal.PenaltyGroup;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one Responder call changed: trackers added, statuses changed, trackers removed, and the
 * listener events that report it. It becomes one {@link StoreUpdate}; its events are delivered only
 * once that update is durable, so a listener never hears of a change a crash could undo.
 *
 * <p>Mutable, confined to the Responder's lock.
 */
final class ChangeSet {
  private static final Logger log = LoggerFactory.getLogger(Responder.class);
  private static final PenaltyGroup[] NO_GROUPS = new PenaltyGroup[0];
  private static final TrackerStatus[] NO_STATUSES = new TrackerStatus[0];

  private final List<TransactionTracker> added = new ArrayList<>(1);
  /**
   * Status changes are recorded per penalty group, as the core keeps them: every member shares the
   * group's status. A group whose status changes twice is listed twice; the last entry wins.
   */
  private PenaltyGroup[] changedGroups = NO_GROUPS;
  private TrackerStatus[] changedStatuses = NO_STATUSES;
  private int changed;
  private final Set<UUID> removed = new LinkedHashSet<>();
  private final List<Consumer<ResponderListener>> events = new ArrayList<>();

  void add(TransactionTracker tracker) {
    added.add(tracker);
  }

  /**
   * Every member of {@code g} gets {@code status} in the store: those it has when the update is
   * made, which leaves out the members removed meanwhile (and a group dropped meanwhile altogether).
   */
  void status(PenaltyGroup g, TrackerStatus status) {
    if (changed == changedGroups.length) {
      int grown = Math.max(16, changed * 2);
      changedGroups = Arrays.copyOf(changedGroups, grown);
      changedStatuses = Arrays.copyOf(changedStatuses, grown);
    }
    changedGroups[changed] = g;
    changedStatuses[changed] = status;
    changed++;
    g.setListed(true);
  }

  /** The tracker leaves the store; its group no longer lists it (or is dropped). */
  void remove(UUID uuid) {
    removed.add(uuid);
  }

  void event(Consumer<ResponderListener> event) {
    events.add(event);
  }

  boolean isEmpty() {
    return added.isEmpty() && changed == 0 && removed.isEmpty() && events.isEmpty();
  }

  StoreUpdate toUpdate(Optional<BlockRef> tip) {
    // Latest entry first, so that it is the one kept; groups dropped since have no member left to change.
    int[] keep = new int[changed];
    int kept = 0;
    int trackers = 0;
    for (int i = changed - 1; i >= 0; i--) {
      PenaltyGroup g = changedGroups[i];
      if (g.isListed()) {
        g.setListed(false);
        if (g.isLive()) {
          keep[kept++] = i;
          trackers += g.size();
        }
      }
    }
    long[] words = new long[2 * trackers];
    TrackerStatus[] statuses = new TrackerStatus[trackers];
    int at = 0;
    for (int k = kept - 1; k >= 0; k--) { // in the order first changed
      PenaltyGroup g = changedGroups[keep[k]];
      g.copyUuidWords(words, 2 * at);
      Arrays.fill(statuses, at, at + g.size(), changedStatuses[keep[k]]);
      at += g.size();
    }
    List<TransactionTracker> a = List.copyOf(added);
    Set<UUID> r = Collections.unmodifiableSet(removed);
    return new StoreUpdate(a, new StatusChanges(words, statuses, a, r), r, tip);
  }
  /** Delivers the events in the order they were recorded; a listener that throws is logged and skipped. */
  void fire(ResponderListener listener) {
    for (Consumer<ResponderListener> e : events) {
      try {
        e.accept(listener);
      } catch (RuntimeException ex) {
        log.atWarn().addKeyValue("listener", listener.getClass().getName()).addKeyValue("exception", ex.toString())
            .log("listener threw; ignored");
      }
    }
  }
}
