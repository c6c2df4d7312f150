package io.responder.store.inmemory;

import io.responder.core.TrackerStatus;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The distinct statuses of a {@link TrackerTable}, each under a small positive code, so that the table
 * holds a number per slot (beside the slot's key, see there) where it held a reference.
 *
 * <p>Why: with the default collector (G1), storing a reference into an old array costs a write
 * barrier that dirties the array's card, and a concurrent thread then scans each dirty card (128
 * references) to keep its remembered sets. A block writes a status into ten thousand slots spread
 * over the table, one card each; a number's store is a plain store. Few statuses are distinct
 * (those of a block's confirmations share one object, and the core shares one per height for
 * penalties in the mempool), so the table here stays small, and decoding a code is an array read that
 * allocates nothing.
 *
 * <p>Codes are never reused while a slot may hold them: when the table fills, it is compacted to the
 * codes the slots hold, and the others are dropped. Mutable and not thread-safe: the table's owner
 * guards it.
 */
final class StatusCodes {
  /** The code of an empty slot. */
  static final int NONE = 0;
  private static final int MIN_ROOM = 1024;

  /** By code; index 0 is {@link #NONE}'s and stays null. */
  private @Nullable TrackerStatus[] byCode = new TrackerStatus[MIN_ROOM + 1];
  private final Map<TrackerStatus, Integer> codes = new HashMap<>();
  private int next = 1;
  /** The status last coded, and its code: a block's writes are mostly one status. */
  private @Nullable TrackerStatus last;
  private int lastCode;

  /** The status of a code other than {@link #NONE}. */
  TrackerStatus status(int code) {
    return byCode[code];
  }

  /**
   * The code of {@code status}, given a new one if it has none. When none is left to give, the codes
   * are first compacted to those in {@code slots}, which are renumbered in place.
   *
   * @param slots the table's slots, {@link TrackerTable#SLOT_LONGS} {@code long}s each, the slot's code
   *     at {@link TrackerTable#CODE}: {@link #NONE} where none is
   * @return the code
   */
  int codeOf(TrackerStatus status, long[] slots) {
    if (status == last) {
      return lastCode;
    }
    Integer known = codes.get(status);
    int code;
    if (known != null) {
      code = known;
    } else {
      if (next == byCode.length) {
        compact(slots);
      }
      code = next++;
      byCode[code] = status;
      codes.put(status, code);
    }
    last = status;
    lastCode = code;
    return code;
  }

  /**
   * Keeps only the codes in {@code slots} and renumbers them from 1, rewriting {@code slots} in place,
   * and makes room for at least as many new codes as are kept (and {@value #MIN_ROOM}).
   *
   * @param slots the table's slots, laid out as for {@link #codeOf}; {@link #NONE} codes stay
   */
  private void compact(long[] slots) {
    int[] renumbered = new int[next];
    @Nullable TrackerStatus[] kept = new TrackerStatus[byCode.length];
    int nextKept = 1;
    for (int i = TrackerTable.CODE; i < slots.length; i += TrackerTable.SLOT_LONGS) {
      int c = (int) slots[i];
      if (c != NONE) {
        if (renumbered[c] == 0) {
          renumbered[c] = nextKept;
          kept[nextKept++] = byCode[c];
        }
        slots[i] = renumbered[c];
      }
    }
    byCode = Arrays.copyOf(kept, Math.max(MIN_ROOM, 2 * (nextKept - 1)) + 1);
    next = nextKept;
    codes.clear();
    for (int c = 1; c < next; c++) {
      codes.put(byCode[c], c);
    }
    last = null;
  }

  /** How many codes are given out: for tests. */
  int size() {
    return next - 1;
  }
}
