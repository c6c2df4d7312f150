package io.responder.core;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;
import org.slf4j.spi.NOPLoggingEventBuilder;

/**
 * How many per-penalty lines of each kind one Responder call has logged, so that a call that changes
 * thousands of penalties logs a bounded number of lines: the first {@value #IN_FULL} of each kind at
 * the kind's own level (a small tower still sees each of its penalties by txid), the others at DEBUG,
 * and one summary at the end with every count, at the level of the most severe kind it counts.
 *
 * <p>Why: a line costs a few microseconds in a host's logging (formatting, a write), several times
 * what the Responder spends on the change itself. A rebroadcast storm at a million trackers logged a
 * line per penalty at INFO, 900,000 lines in one block, and took three times as long as with logging
 * off (BENCHMARKS.md, "Logging at INFO"). The same storm refused by a node whose mempool has filled
 * logged as many warnings, at the moment the block's latency matters most. The listener still hears
 * of every tracker.
 *
 * <p>Mutable, confined to the Responder's lock, like the {@link ChangeSet} that carries it.
 */
final class BlockLines {
  /** Lines of each kind logged at the kind's own level per call; the rest go to DEBUG. */
  static final int IN_FULL = 10;

  /** The per-penalty lines a call can log in bulk, each counted under its key in the summary. */
  enum Kind {
    CONFIRMED("penaltiesConfirmed", Level.INFO),
    RESOLVED("penaltiesResolved", Level.INFO),
    EXPIRED("trackersExpired", Level.INFO),
    REBROADCAST("penaltiesRebroadcast", Level.INFO),
    ACCEPTED("pendingAccepted", Level.INFO),
    ESCALATED("variantsSent", Level.INFO),
    /** The node said a penalty is confirmed in a block the Responder had not seen it in. */
    CONFIRMATION_LEARNT("confirmationsLearntFromNode", Level.INFO),
    /** A penalty sent with its dispute as a package (the node lacked the dispute, or it pays too little). */
    SENT_WITH_DISPUTE("sentWithDispute", Level.INFO),
    /** A penalty whose inputs the node lacks, kept pending until its dispute arrives. */
    AWAITING_DISPUTE("awaitingDispute", Level.INFO),
    /** A dispute a reorganisation disconnected, sent again before its penalty. */
    DISPUTE_RESENT("disputesResent", Level.INFO),
    /** A child from the host's fee bumper sent with a penalty. */
    CHILD_SENT("childrenSent", Level.INFO),
    /** A rebroadcast the node did not take: the penalty became pending. */
    REFUSED("rebroadcastsRefused", Level.WARN),
    /** A pending penalty the node refused for good: its trackers are dropped. */
    REJECTED("pendingRejected", Level.WARN),
    /** A child the host's fee bumper could not give, or gave unusable. */
    CHILD_NOT_SENT("childrenNotSent", Level.WARN),
    /** A penalty whose deadline came near: acted on in every block from now on. */
    AT_RISK("penaltiesAtRisk", Level.WARN),
    /** A penalty still unconfirmed at its deadline: the cheater can sweep. */
    DEADLINE_PASSED("deadlinesPassed", Level.ERROR);

    private final String key;
    private final Level level;

    Kind(String key, Level level) {
      this.key = key;
      this.level = level;
    }
  }

  private static final Kind[] KINDS = Kind.values();

  private final int[] counts = new int[KINDS.length];

  /**
   * A line of {@code kind}: at its own level while fewer than {@value #IN_FULL} of its kind were, else
   * at DEBUG (a builder that does nothing unless DEBUG is on).
   */
  LoggingEventBuilder line(Logger log, Kind kind) {
    return counts[kind.ordinal()]++ < IN_FULL ? log.atLevel(kind.level) : log.atDebug();
  }

  /**
   * {@link #line}, or null when that line would write nothing (past the first {@value #IN_FULL} with
   * DEBUG off): counted either way. For a line whose values cost an object each (a uuid or a txid
   * made from a group's words), which a storm would otherwise make for every penalty.
   */
  @Nullable LoggingEventBuilder lineIfWritten(Logger log, Kind kind) {
    LoggingEventBuilder line = line(log, kind);
    return line instanceof NOPLoggingEventBuilder ? null : line;
  }

  /**
   * The call's summary: {@code message} with the height and hash of {@code at} and a count for each
   * kind of line asked for, at the level of the most severe kind counted (with
   * {@code detailAtDebug=true} when some kind had more than {@value #IN_FULL}), or at DEBUG when none
   * was.
   */
  void summarize(Logger log, String message, BlockRef at) {
    Level level = Level.DEBUG;
    boolean cut = false;
    for (Kind kind : KINDS) {
      int n = counts[kind.ordinal()];
      if (n > 0 && kind.level.toInt() > level.toInt()) {
        level = kind.level;
      }
      cut |= n > IN_FULL;
    }
    LoggingEventBuilder line = log.atLevel(level).addKeyValue("height", at.height()).addKeyValue("block", at.hash());
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
