package io.responder.core;

import io.responder.core.internal.PenaltyGroup;
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
  private static final int[] NO_INTS = new int[0];

  private final List<TransactionTracker> added = new ArrayList<>(1);
  /*
   * Status changes are recorded per penalty group, as the core keeps them (every member shares the
   * group's status), one entry per change: the group, the status, and the uuid words its members had
   * then, copied into one array while the group is in the cache. A later change of the same group,
   * its drop or a member's removal amends its entry, found through the group's PenaltyGroup.listedAt,
   * so the update is made from these arrays without reading any group again: by a block's commit,
   * the thousands of groups it changed at its start are out of the cache.
   */
  /** By entry, its group; null once a later entry of the group, or its drop, replaced it. */
  private @Nullable PenaltyGroup[] entryGroups = NO_GROUPS;
  private TrackerStatus[] entryStatuses = NO_STATUSES;
  /** By entry, where its members' words start in {@link #memberWords}, and how many members it has. */
  private int[] entryStarts = NO_INTS;
  private int[] entrySizes = NO_INTS;
  private int entries;
  private long[] memberWords = new long[0];
  private int memberWordCount;
  /** The members of the entries not replaced: the update's status changes. */
  private int changedTrackers;
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
   * Every member of {@code g} gets {@code status} in the store: those it has now, less those removed
   * before the update is made (and none if the group is dropped meanwhile). A group's members only
   * join it after the commit that adds them, so none joins meanwhile. A later status of the group
   * replaces this one.
   */
  void status(PenaltyGroup g, TrackerStatus status) {
    unlist(g);
    int n = g.size();
    if (entries == entryGroups.length) {
      int grown = Math.max(16, entries * 2);
      entryGroups = Arrays.copyOf(entryGroups, grown);
      entryStatuses = Arrays.copyOf(entryStatuses, grown);
      entryStarts = Arrays.copyOf(entryStarts, grown);
      entrySizes = Arrays.copyOf(entrySizes, grown);
    }
    if (memberWordCount + 2 * n > memberWords.length) {
      memberWords = Arrays.copyOf(memberWords, Math.max(2 * memberWords.length, Math.max(32, memberWordCount + 2 * n)));
    }
    g.copyUuidWords(memberWords, memberWordCount);
    entryGroups[entries] = g;
    entryStatuses[entries] = status;
    entryStarts[entries] = memberWordCount;
    entrySizes[entries] = n;
    g.setListedAt(entries);
    entries++;
    memberWordCount += 2 * n;
    changedTrackers += n;
  }

  /** The entry of {@code g} in this change set that no later one replaced, or -1. */
  private int entryOf(PenaltyGroup g) {
    int e = g.listedAt();
    // The group's number may be another change set's: only this one's entry for the group counts.
    return e >= 0 && e < entries && entryGroups[e] == g ? e : -1;
  }

  /** Takes the status entry of {@code g} out of the update, if it has one. */
  private void unlist(PenaltyGroup g) {
    int e = entryOf(g);
    if (e >= 0) {
      entryGroups[e] = null;
      changedTrackers -= entrySizes[e];
    }
  }

  /**
   * Member {@code i} of {@code g}, about to be removed from the group, leaves the status entry of
   * {@code g} too, the same way: the entry's last member takes its place, as in the group.
   */
  private void unlistMember(PenaltyGroup g, int i) {
    int e = entryOf(g);
    if (e < 0) {
      return;
    }
    int start = entryStarts[e];
    int last = entrySizes[e] - 1;
    long msb = g.uuidMsb(i);
    long lsb = g.uuidLsb(i);
    int at = i <= last && memberWords[start + 2 * i] == msb && memberWords[start + 2 * i + 1] == lsb ? i : -1;
    for (int k = 0; at < 0 && k <= last; k++) { // only if the entry's order and the group's parted
      if (memberWords[start + 2 * k] == msb && memberWords[start + 2 * k + 1] == lsb) {
        at = k;
      }
    }
    if (at < 0) {
      return;
    }
    memberWords[start + 2 * at] = memberWords[start + 2 * last];
    memberWords[start + 2 * at + 1] = memberWords[start + 2 * last + 1];
    entrySizes[e] = last;
    changedTrackers--;
  }

  /**
   * Every member of the live group {@code g} leaves the store, each told {@code event}; the caller
   * then drops the group, so no member is removed twice.
   */
  <A> void removeAll(PenaltyGroup g, Txid txid, MemberEvent<A> event, A arg) {
    unlist(g);
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
    unlistMember(g, i);
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
    return added.isEmpty() && entries == 0 && removedWordCount == 0 && events.isEmpty();
  }

  StoreUpdate toUpdate(Optional<BlockRef> tip) {
    // The entries not replaced, in order: the trackers come out in the order of their groups' last
    // changes, each group's members in their order (a removed member's place taken by the last).
    long[] words = new long[2 * changedTrackers];
    TrackerStatus[] statuses = new TrackerStatus[changedTrackers];
    int filled = 0;
    for (int e = 0; e < entries; e++) {
      if (entryGroups[e] != null) {
        int n = entrySizes[e];
        System.arraycopy(memberWords, entryStarts[e], words, 2 * filled, 2 * n);
        Arrays.fill(statuses, filled, filled + n, entryStatuses[e]);
        filled += n;
      }
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
