package io.responder.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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

  private final List<TransactionTracker> added = new ArrayList<>(1);
  private final Map<UUID, TrackerStatus> statuses = new LinkedHashMap<>();
  private final Set<UUID> removed = new LinkedHashSet<>();
  private final List<Consumer<ResponderListener>> events = new ArrayList<>();

  void add(TransactionTracker tracker) {
    added.add(tracker);
  }

  void status(UUID uuid, TrackerStatus status) {
    statuses.put(uuid, status);
  }

  void remove(UUID uuid) {
    statuses.remove(uuid);
    removed.add(uuid);
  }

  void event(Consumer<ResponderListener> event) {
    events.add(event);
  }

  boolean isEmpty() {
    return added.isEmpty() && statuses.isEmpty() && removed.isEmpty() && events.isEmpty();
  }

  StoreUpdate toUpdate(Optional<BlockRef> tip) {
    return new StoreUpdate(added, statuses, removed, tip);
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
