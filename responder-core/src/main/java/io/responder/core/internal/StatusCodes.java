package io.responder.core.internal;

import io.responder.core.TrackerState;
import io.responder.core.TrackerStatus;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The statuses the penalty groups of one Responder hold, each under an {@code int} code: a group
 * keeps the code of its status, not a reference to it.
 *
 * <p>Why a code: a block that confirms ten thousand penalties writes the status of ten thousand
 * groups scattered over an old generation of a million. With the default collector (G1) each store
 * of a reference into an old object at a clean card dirties that card, which costs the storing
 * thread a fence and the collector's refinement threads a scan of the card (512 bytes): measured at
 * a million trackers, these writes were about half of the CPU that plain blocks cost other threads
 * than the Responder's. An {@code int} store is a plain store. Statuses are few at any time (one
 * per confirming block within the irrevocable depth, one per height penalties were sent or refused
 * at), so the table is small and stays in cache.
 *
 * <p>A code carries its status's {@link TrackerState} in its two low bits ({@link #stateOf}), so the
 * many checks of a state need no table at all; the bits above are the slot of the status in this
 * table. {@link #DROPPED} ({@code -1}) is no status: the code of a group dropped from the indexes,
 * whose status is gone, so that reading it is an error rather than a stale answer.
 *
 * <p>Each slot counts the groups holding its code ({@link #hold}, {@link #release}); a slot no group
 * holds is taken for the next new status. Counted rather than found by a walk, as the in-memory
 * store's table of codes is (it scans one dense {@code int[]}): the groups are objects spread over the
 * heap, and a walk of a million would be a million cache misses in one block. {@link #verify}
 * recounts them from the groups, for consistency checks. Equal statuses share one code and one object: {@link #status} gives the one
 * first held. Mutable and not thread-safe (the Responder's lock guards it). Not published API.
 */
public final class StatusCodes {
  /** The code of no status: a group dropped from the indexes. */
  public static final int DROPPED = -1;

  private static final int STATE_BITS = 2;
  private static final int STATE_MASK = (1 << STATE_BITS) - 1;
  private static final TrackerState[] STATES = TrackerState.values();

  private @Nullable TrackerStatus[] statuses = new TrackerStatus[16];
  /** Groups holding each slot's code; 0 for a free slot. */
  private int[] holders = new int[16];
  private final Map<TrackerStatus, Integer> codes = new HashMap<>();
  /** Free slots below {@link #used}, the last freed on top. */
  private int[] free = new int[16];
  private int freeCount;
  /** Slots ever handed out: those at and above are free and never used. */
  private int used;
  /**
   * The last status held and its code: a block gives one status object to every penalty it
   * confirms, so almost every hold is this one, and costs no hashing.
   */
  private @Nullable TrackerStatus last;
  private int lastCode;

  /** Creates an empty table. */
  public StatusCodes() {
    // no status yet
  }

  /**
   * @param code a code, not {@link #DROPPED}
   * @return the state of its status
   */
  public static TrackerState stateOf(int code) {
    if (code < 0) {
      throw new IllegalStateException("a dropped penalty has no state");
    }
    return STATES[code & STATE_MASK];
  }

  /**
   * Takes the code of {@code status} for one more group.
   *
   * @param status a status
   * @return its code, to keep in the group, and {@link #release} when the group lets it go
   */
  public int hold(TrackerStatus status) {
    int code;
    if (status == last) {
      code = lastCode;
    } else {
      Integer known = codes.get(status);
      code = known != null ? known : add(status);
      last = status;
      lastCode = code;
    }
    holders[code >>> STATE_BITS]++;
    return code;
  }

  /**
   * Gives up one group's hold on {@code code}; the status goes when no group holds it.
   *
   * @param code a code held
   * @throws IllegalStateException if no group holds it
   */
  public void release(int code) {
    int slot = checkHeld(code);
    if (--holders[slot] == 0) {
      codes.remove(statuses[slot]);
      statuses[slot] = null;
      if (last != null && lastCode == code) {
        last = null; // an equal status may have been held last under another object: compared by code
      }
      if (freeCount == free.length) {
        free = Arrays.copyOf(free, 2 * freeCount);
      }
      free[freeCount++] = slot;
    }
  }

  /**
   * @param code a code held
   * @return its status
   * @throws IllegalStateException if no group holds it ({@link #DROPPED}, say)
   */
  public TrackerStatus status(int code) {
    return statuses[checkHeld(code)];
  }

  /** @return the number of distinct statuses held */
  public int size() {
    return codes.size();
  }

  /** Forgets every status: for when every group was dropped at once. */
  public void clear() {
    Arrays.fill(statuses, 0, used, null);
    Arrays.fill(holders, 0, used, 0);
    codes.clear();
    freeCount = 0;
    used = 0;
    last = null;
  }

  /**
   * Checks the holds against the groups that should hold them: each group's code is held and of the
   * state its status has, and each code is held by as many groups as hold it.
   *
   * @param groups every group not dropped
   * @throws IllegalStateException describing the first disagreement
   */
  public void verify(Iterable<PenaltyGroup> groups) {
    int[] counted = new int[used];
    for (PenaltyGroup g : groups) {
      int code = g.statusCode();
      TrackerStatus status = status(code);
      if (status.state() != stateOf(code)) {
        throw new IllegalStateException("penalty " + g.txid() + " holds code " + code + " of state " + stateOf(code)
            + " for " + status);
      }
      counted[code >>> STATE_BITS]++;
    }
    for (int slot = 0; slot < used; slot++) {
      if (counted[slot] != holders[slot]) {
        throw new IllegalStateException(statuses[slot] + " is held by " + counted[slot] + " penalties but counted "
            + holders[slot]);
      }
    }
  }

  private int add(TrackerStatus status) {
    int slot;
    if (freeCount > 0) {
      slot = free[--freeCount];
    } else {
      slot = used++;
      if (slot == statuses.length) {
        statuses = Arrays.copyOf(statuses, 2 * slot);
        holders = Arrays.copyOf(holders, 2 * slot);
      }
    }
    statuses[slot] = status;
    int code = slot << STATE_BITS | status.state().ordinal();
    codes.put(status, code);
    return code;
  }

  private int checkHeld(int code) {
    int slot = code >>> STATE_BITS;
    if (code < 0 || slot >= used || holders[slot] == 0) {
      throw new IllegalStateException(code == DROPPED ? "a dropped penalty has no status" : "status code " + code
          + " is held by no penalty");
    }
    return slot;
  }
}
