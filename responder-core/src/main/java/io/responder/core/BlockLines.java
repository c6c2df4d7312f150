package io.responder.core;

import org.slf4j.Logger;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * How many per-penalty lines of each kind one Responder call has logged, so that a block of
 * thousands of changes logs a bounded number of lines at INFO: the first {@value #AT_INFO} of each
 * kind there (a small tower still sees each of its penalties by txid), the others at DEBUG, and one
 * summary at the end with every count.
 *
 * <p>Why: a line costs a few microseconds in a host's logging (formatting, a write), several times
 * what the Responder spends on the change itself. A rebroadcast storm at a million trackers logged a
 * line per penalty at INFO, 900,000 lines in one block, and took three times as long as with logging
 * off (BENCHMARKS.md, "Logging at INFO"). The listener still hears of every tracker.
 *
 * <p>Mutable, confined to the Responder's lock, like the {@link ChangeSet} that carries it.
 */
final class BlockLines {
  /** Lines of each kind logged at INFO per call; the rest go to DEBUG. */
  static final int AT_INFO = 10;

  /** The per-penalty lines a block can log in bulk, each counted under its key in the summary. */
  enum Kind {
    CONFIRMED("penaltiesConfirmed"),
    RESOLVED("penaltiesResolved"),
    EXPIRED("trackersExpired"),
    REBROADCAST("penaltiesRebroadcast"),
    ACCEPTED("pendingAccepted"),
    ESCALATED("variantsSent");

    private final String key;

    Kind(String key) {
      this.key = key;
    }
  }

  private static final Kind[] KINDS = Kind.values();

  private final int[] counts = new int[KINDS.length];

  /**
   * A line of {@code kind}: at INFO while fewer than {@value #AT_INFO} of its kind were, else at
   * DEBUG (a builder that does nothing unless DEBUG is on).
   */
  LoggingEventBuilder line(Logger log, Kind kind) {
    return counts[kind.ordinal()]++ < AT_INFO ? log.atInfo() : log.atDebug();
  }

  /**
   * The call's summary: {@code message} with the height and hash of {@code at} and a count for each
   * kind of line asked for, at INFO if any was (with {@code detailAtDebug=true} when some kind had
   * more than {@value #AT_INFO}), else at DEBUG.
   */
  void summarize(Logger log, String message, BlockRef at) {
    boolean any = false;
    boolean cut = false;
    for (int n : counts) {
      any |= n > 0;
      cut |= n > AT_INFO;
    }
    LoggingEventBuilder line = (any ? log.atInfo() : log.atDebug())
        .addKeyValue("height", at.height()).addKeyValue("block", at.hash());
    for (Kind kind : KINDS) {
      int n = counts[kind.ordinal()];
      if (n > 0) {
        line.addKeyValue(kind.key, n);
      }
    }
    if (cut) {
      line.addKeyValue("detailAtDebug", true);
    }
    line.log(message);
  }
}
