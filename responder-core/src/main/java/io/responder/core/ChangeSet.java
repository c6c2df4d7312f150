package io.responder.core;

import io.responder.core.internal.PenaltyGroup;
import io.responder.core.internal.PenaltyIndex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
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
  /** How many entries {@link #toUpdate} reads ahead and then copies: as the index's slices, for the same reason. */
  private static final int SLICE = PenaltyIndex.SLICE;

  private final List<TransactionTracker> added = new ArrayList<>(1);
  /**
   * Status changes are recorded per penalty group, as the core keeps them: every member shares the
   * group's status. A group whose status changes twice is listed twice; the last entry wins.
   */
  private PenaltyGroup[] changedGroups = NO_GROUPS;
  private TrackerStatus[] changedStatuses = NO_STATUSES;
  private int changed;
  private long[] removedWords = new long[0];
  private int removedWordCount;
  private final List<Consumer<ResponderListener>> events = new ArrayList<>();
  private final BlockLines lines = new BlockLines();

  /** The per-penalty log lines of this call, counted so that only the first few of each kind are at their own level. */
  BlockLines lines() {
    return lines;
  }

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

  /**
   * Every member of the live group {@code g} leaves the store, each told {@code event}; the caller
   * then drops the group, so no member is removed twice.
   */
  <A> void removeAll(PenaltyGroup g, Txid txid, MemberEvent<A> event, A arg) {
    roomForRemoved(g.size());
    g.copyUuidWords(removedWords, removedWordCount);
    removedWordCount += 2 * g.size();
    members(g, txid, event, arg);
  }

  /**
   * Member {@code i} of the live group {@code g} leaves the store, told {@code event}; the caller
   * then takes it out of the group, so it is not removed twice.
   */
  <A> void remove(PenaltyGroup g, int i, Txid txid, MemberEvent<A> event, A arg) {
    roomForRemoved(1);
    g.copyUuidWords(i, removedWords, removedWordCount);
    removedWordCount += 2;
    runOf(event).addMember(g, i, txid, arg);
  }

  private void roomForRemoved(int uuids) {
    if (removedWordCount + 2 * uuids > removedWords.length) {
      removedWords = Arrays.copyOf(removedWords, Math.max(2 * removedWords.length, Math.max(32, removedWordCount + 2 * uuids)));
    }
  }

  void event(Consumer<ResponderListener> event) {
    events.add(event);
  }

  /**
   * One kind of listener callback about one tracker: the tracker's uuid, its penalty's txid and one
   * more argument, of type {@code A}. A run of one kind is told in a loop of that kind's own (see
   * {@link MemberRun#fireEach}).
   */
  static final class MemberEvent<A> {
    private final Kind kind;
    private final @Nullable ResendReason reason;

    private MemberEvent(Kind kind, @Nullable ResendReason reason) {
      this.kind = kind;
      this.reason = reason;
    }

    @Override
    public String toString() {
      return reason == null ? kind.name() : kind + "(" + reason + ")";
    }
  }

  private enum Kind { CONFIRMED, COMPLETED, EXPIRED, REJECTED, RESENT }

  static final MemberEvent<BlockRef> CONFIRMED = new MemberEvent<>(Kind.CONFIRMED, null);
  static final MemberEvent<BlockRef> COMPLETED = new MemberEvent<>(Kind.COMPLETED, null);
  static final MemberEvent<BlockRef> EXPIRED = new MemberEvent<>(Kind.EXPIRED, null);
  static final MemberEvent<BroadcastResult.Rejected> REJECTED = new MemberEvent<>(Kind.REJECTED, null);
  private static final Map<ResendReason, MemberEvent<BroadcastResult>> RESENT = new EnumMap<>(ResendReason.class);

  static {
    for (ResendReason reason : ResendReason.values()) {
      RESENT.put(reason, new MemberEvent<>(Kind.RESENT, reason));
    }
  }

  /**
   * Every member of {@code g} is told {@code event} about {@code txid} and {@code arg}, as one
   * event each would tell it. Consecutive events of one kind share one run of arrays (uuid words,
   * txid, argument) instead of two objects per tracker: a block confirms, completes and expires
   * thousands, a rebroadcast storm resends a million, and they live until the block is committed.
   * Any other event ends the run, so the order of all events is kept.
   */
  <A> void members(PenaltyGroup g, Txid txid, MemberEvent<A> event, A arg) {
    runOf(event).addGroup(g, txid, arg);
  }

  /** {@link ResponderListener#penaltyResent} for every member of {@code g}, as {@link #members} tells. */
  void resent(PenaltyGroup g, Txid txid, ResendReason reason, BroadcastResult result) {
    members(g, txid, RESENT.get(reason), result);
  }

  @SuppressWarnings("unchecked") // a run's argument type is its event's, which is the key
  private <A> MemberRun<A> runOf(MemberEvent<A> event) {
    if (!events.isEmpty() && events.get(events.size() - 1) instanceof MemberRun<?> r && r.event == event) {
      return (MemberRun<A>) r;
    }
    MemberRun<A> run = new MemberRun<>(event);
    events.add(run);
    return run;
  }

  /** A run of one kind of per-tracker event, in the order recorded. */
  private static final class MemberRun<A> implements Consumer<ResponderListener> {
    private final MemberEvent<A> event;
    private long[] words = new long[32];
    private Txid[] txids = new Txid[16];
    private Object[] args = new Object[16];
    private int size;

    MemberRun(MemberEvent<A> event) {
      this.event = event;
    }

    /** An event for every member of {@code g}. */
    void addGroup(PenaltyGroup g, Txid txid, A arg) {
      int n = g.size();
      room(n);
      g.copyUuidWords(words, 2 * size);
      Arrays.fill(txids, size, size + n, txid);
      Arrays.fill(args, size, size + n, arg);
      size += n;
    }

    /** An event for member {@code i} of {@code g}. */
    void addMember(PenaltyGroup g, int i, Txid txid, A arg) {
      room(1);
      g.copyUuidWords(i, words, 2 * size);
      txids[size] = txid;
      args[size] = arg;
      size++;
    }

    private void room(int n) {
      if (size + n > txids.length) {
        int grown = Math.max(2 * txids.length, size + n);
        words = Arrays.copyOf(words, 2 * grown);
        txids = Arrays.copyOf(txids, grown);
        args = Arrays.copyOf(args, grown);
      }
    }

    /**
     * Each event alone, so that a listener that throws costs only its own event (as one each did).
     * Each kind has a loop of its own, so each listener method is called from a site of its own:
     * the listener's class is the only one that site sees, and the call is made directly (inlined,
     * with the uuid never made if the listener ignores it). One loop for every kind called each
     * event through the kind's lambda, a dispatch per event: 8.5% of a plain block's own work at a
     * million trackers (BENCHMARKS.md, "Twenty-first round").
     */
    void fireEach(ResponderListener listener) {
      switch (event.kind) {
        case CONFIRMED -> {
          for (int i = 0; i < size; i++) {
            try {
              listener.penaltyConfirmed(uuid(i), txids[i], (BlockRef) args[i]);
            } catch (RuntimeException ex) {
              listenerThrew(listener, ex);
            }
          }
        }
        case COMPLETED -> {
          for (int i = 0; i < size; i++) {
            try {
              listener.trackerCompleted(uuid(i), txids[i], (BlockRef) args[i]);
            } catch (RuntimeException ex) {
              listenerThrew(listener, ex);
            }
          }
        }
        case EXPIRED -> {
          for (int i = 0; i < size; i++) {
            try {
              listener.trackerExpired(uuid(i), txids[i], (BlockRef) args[i]);
            } catch (RuntimeException ex) {
              listenerThrew(listener, ex);
            }
          }
        }
        case REJECTED -> {
          for (int i = 0; i < size; i++) {
            try {
              listener.breachRejected(uuid(i), txids[i], (BroadcastResult.Rejected) args[i]);
            } catch (RuntimeException ex) {
              listenerThrew(listener, ex);
            }
          }
        }
        case RESENT -> {
          ResendReason reason = event.reason;
          for (int i = 0; i < size; i++) {
            try {
              listener.penaltyResent(uuid(i), txids[i], reason, (BroadcastResult) args[i]);
            } catch (RuntimeException ex) {
              listenerThrew(listener, ex);
            }
          }
        }
      }
    }

    private UUID uuid(int i) {
      return new UUID(words[2 * i], words[2 * i + 1]);
    }

    @Override
    public void accept(ResponderListener listener) {
      fireEach(listener);
    }
  }

  boolean isEmpty() {
    return added.isEmpty() && changed == 0 && removedWordCount == 0 && events.isEmpty();
  }

  StoreUpdate toUpdate(Optional<BlockRef> tip) {
    // Latest entry first, so that it is the one kept; groups dropped since have no member left to change.
    // A slice of the entries at a time, in two passes: the first only reads the slice's groups, so that
    // their cache misses overlap, and the second lists and copies them while they are in the cache.
    // (Over a block's ten thousand groups at once, the second pass found them gone from the cache again;
    // one pass that read and copied made an ordinary block 13% slower: BENCHMARKS.md, "Eighteenth round".)
    // Going backwards, the arrays are filled from their ends: the update lists the trackers in the
    // order of their groups' last changes, each group's members in their order.
    List<PenaltyGroup> listed = Arrays.asList(changedGroups);
    long[] words = new long[2 * changed]; // a member a group, grown for larger ones
    TrackerStatus[] statuses = new TrackerStatus[changed];
    int first = changed; // the filled part is [first, statuses.length)
    for (int hi = changed; hi > 0; hi -= SLICE) {
      int lo = Math.max(0, hi - SLICE);
      PenaltyGroup.readAhead(listed, lo, hi);
      for (int i = hi - 1; i >= lo; i--) {
        PenaltyGroup g = changedGroups[i];
        if (!g.isListed()) {
          continue;
        }
        g.setListed(false);
        if (!g.isLive()) {
          continue;
        }
        int n = g.size();
        if (n > first) { // grown at the front, the filled part moved to the new end
          int filled = statuses.length - first;
          int grown = Math.max(2 * statuses.length, filled + n);
          long[] w = new long[2 * grown];
          System.arraycopy(words, 2 * first, w, 2 * (grown - filled), 2 * filled);
          TrackerStatus[] st = new TrackerStatus[grown];
          System.arraycopy(statuses, first, st, grown - filled, filled);
          words = w;
          statuses = st;
          first = grown - filled;
        }
        TrackerStatus s = changedStatuses[i];
        for (int m = n - 1; m >= 0; m--) {
          first--;
          g.copyUuidWords(m, words, 2 * first);
          statuses[first] = s;
        }
      }
    }
    if (first > 0) {
      words = Arrays.copyOfRange(words, 2 * first, words.length);
      statuses = Arrays.copyOfRange(statuses, first, statuses.length);
    }
    List<TransactionTracker> a = List.copyOf(added);
    Set<UUID> r = removedWordCount == 0 ? UuidWordSet.EMPTY : new UuidWordSet(Arrays.copyOf(removedWords, removedWordCount));
    return new StoreUpdate(a, new StatusChanges(words, statuses, a, r), r, tip);
  }

  /** Delivers the events in the order they were recorded; a listener that throws is logged and skipped. */
  void fire(ResponderListener listener) {
    for (Consumer<ResponderListener> e : events) {
      if (e instanceof MemberRun<?> run) {
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
      listenerThrew(listener, ex);
    }
  }

  private static void listenerThrew(ResponderListener listener, RuntimeException ex) {
    log.atWarn().addKeyValue("listener", listener.getClass().getName()).addKeyValue("exception", ex.toString())
        .log("listener threw; ignored");
  }
}
