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

  /**
   * Every member of {@code g} is told {@link ResponderListener#penaltyResent}, as one event each
   * would tell it. Consecutive such events share one run of arrays (uuid words, txid, answer) instead
   * of two objects per tracker: a rebroadcast storm records a million, and they live until the
   * block is committed. Any other event ends the run, so the order of all events is kept.
   */
  void resent(PenaltyGroup g, Txid txid, ResendReason reason, BroadcastResult result) {
    ResentRun run = events.isEmpty() ? null
        : events.get(events.size() - 1) instanceof ResentRun r && r.reason == reason ? r : null;
    if (run == null) {
      run = new ResentRun(reason);
      events.add(run);
    }
    run.add(g, txid, result);
  }

  /** A run of {@code penaltyResent} events with one reason, in the order recorded. */
  private static final class ResentRun implements Consumer<ResponderListener> {
    private final ResendReason reason;
    private long[] words = new long[32];
    private Txid[] txids = new Txid[16];
    private BroadcastResult[] results = new BroadcastResult[16];
    private int size;

    ResentRun(ResendReason reason) {
      this.reason = reason;
    }

    void add(PenaltyGroup g, Txid txid, BroadcastResult result) {
      int n = g.size();
      if (size + n > txids.length) {
        int grown = Math.max(2 * txids.length, size + n);
        words = Arrays.copyOf(words, 2 * grown);
        txids = Arrays.copyOf(txids, grown);
        results = Arrays.copyOf(results, grown);
      }
      g.copyUuidWords(words, 2 * size);
      Arrays.fill(txids, size, size + n, txid);
      Arrays.fill(results, size, size + n, result);
      size += n;
    }

    /** Each event alone, so that a listener that throws costs only its own event (as one each did). */
    void fireEach(ResponderListener listener) {
      for (int i = 0; i < size; i++) {
        UUID u = new UUID(words[2 * i], words[2 * i + 1]);
        Txid txid = txids[i];
        BroadcastResult result = results[i];
        deliver(listener, l -> l.penaltyResent(u, txid, reason, result));
      }
    }

    @Override
    public void accept(ResponderListener listener) {
      fireEach(listener);
    }
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
      if (e instanceof ResentRun run) {
        run.fireEach(listener);
      } else {
        deliver(listener, e);
      }
    }
  }

  private static void deliver(ResponderListener listener, Consumer<ResponderListener> event) {
    try {
      event.accept(listener);
    } catch (RuntimeException ex) {
      log.atWarn().addKeyValue("listener", listener.getClass().getName()).addKeyValue("exception", ex.toString())
          .log("listener threw; ignored");
    }
  }
}
