package io.responder.testkit.sim;

import java.lang.reflect.RecordComponent;

/**
 * One step of a generated chain history: something the world, the node or the host does. A closed
 * set of records holding only numbers and enums, so a history prints as Java that rebuilds it (each
 * record's {@code toString()}) and survives the removal of other steps when it is shrunk.
 *
 * <p>Targets such as {@code target} pick an earlier appointment modulo how many exist when the step
 * runs, and every random choice a step makes at run time comes from its own {@code salt}: removing a
 * step changes nothing about how the others behave, only the state they meet. Instances are
 * immutable and thread-safe.
 *
 * @since 0.1.0
 */
public sealed interface Step {
  /**
   * Returns the seed of the random choices this step makes when it runs.
   *
   * @return the salt
   */
  long salt();

  /** How a breach reaches the Responder. */
  enum HandOverKind {
    /** A new dispute is mined and delivered, then its breach handed over. */
    FRESH,
    /** Another appointment for an earlier breach: same dispute and penalty, new uuid and user. */
    SIBLING,
    /** The watcher hands the breach over before the host delivers the dispute's block (B1.8). */
    LATE_WATCHER,
    /** Someone else already mined the penalty, and the host delivered that block: the node answers -27. */
    PENALTY_MINED,
    /** The penalty is already mined in a block the host has not delivered yet. */
    PENALTY_MINED_UNSEEN,
    /** The same breach as an earlier one, handed over again (idempotence, or a watcher retrying). */
    AGAIN
  }

  /** How the Responder's process dies or its store fails. */
  enum CrashMode {
    /** The process is stopped between two calls and rebuilt from the store. */
    RESTART,
    /** The next store commit throws and applies nothing; the same Responder goes on. */
    FAILED_COMMIT,
    /** The next store commit throws and applies nothing; the process is then rebuilt. */
    FAILED_COMMIT_RESTART,
    /** The next store commit is applied but throws (its acknowledgement was lost); the Responder goes on. */
    LOST_ACK,
    /** The process dies at the n-th call the Responder makes to a port (before that call happens). */
    DIE_AT_CALL,
    /** The process dies right after the n-th successful commit, before telling the listener. */
    DIE_AFTER_COMMIT
  }

  /**
   * A breach is handed to the Responder.
   *
   * @param salt seed of the appointment's keys and transactions
   * @param kind how the breach comes about
   * @param target for {@link HandOverKind#SIBLING} and {@link HandOverKind#AGAIN}: which earlier
   *     appointment, modulo their number
   * @param rawDispute whether the raw dispute is handed over too
   * @param subscriptionBlocks the user's subscription ends this many blocks above the chain's tip, or -1
   * @param intakeAnswer 0 for the node's own answer, else a bitcoind error code (-26, -25, -22) the
   *     node gives to the intake broadcast
   */
  record HandOver(long salt, HandOverKind kind, int target, boolean rawDispute, int subscriptionBlocks, int intakeAnswer)
      implements Step {
    @Override
    public String toString() {
      return Steps.java(this);
    }
  }

  /**
   * A block is mined with some of the mempool (disputes and penalties), leaving the rest waiting, and
   * delivered.
   *
   * @param salt seed of which transactions are included
   * @param percent chance of each mempool transaction to be included
   */
  record Mine(long salt, int percent) implements Step {
    @Override
    public String toString() {
      return Steps.java(this);
    }
  }

  /**
   * Empty blocks are mined and delivered.
   *
   * @param salt seed of delivery choices
   * @param blocks how many
   */
  record MineEmpty(long salt, int blocks) implements Step {
    @Override
    public String toString() {
      return Steps.java(this);
    }
  }

  /**
   * The node evicts a penalty from its mempool (memory pressure, a restart): only a rebroadcast
   * brings it back.
   *
   * @param salt unused; kept for uniformity
   * @param target which appointment, modulo their number
   * @param alsoDispute whether the dispute is evicted as well
   */
  record Drop(long salt, int target, boolean alsoDispute) implements Step {
    @Override
    public String toString() {
      return Steps.java(this);
    }
  }

  /**
   * The last {@code depth} blocks are replaced by a branch of {@code depth + extraBlocks} blocks,
   * which may confirm waiting transactions at other heights, and the new branch is delivered.
   *
   * @param salt seed of the new branch's contents and of delivery choices
   * @param depth blocks disconnected (capped by the chain's length)
   * @param extraBlocks how much longer the new branch is
   * @param percent chance of each mempool transaction to be included in each new block
   */
  record Reorg(long salt, int depth, int extraBlocks, int percent) implements Step {
    @Override
    public String toString() {
      return Steps.java(this);
    }
  }

  /**
   * The last {@code depth} blocks are disconnected and the new branch is not mined yet (it comes with
   * later steps); a host that reports disconnections reports these now.
   *
   * @param salt seed of delivery choices
   * @param depth blocks disconnected (capped by the chain's length)
   */
  record Disconnect(long salt, int depth) implements Step {
    @Override
    public String toString() {
      return Steps.java(this);
    }
  }

  /**
   * Blocks are mined (with some of the mempool) that the host never reports: the Responder learns of
   * them only through its block source.
   *
   * @param salt seed of the blocks' contents
   * @param blocks how many
   * @param percent chance of each mempool transaction to be included in each block
   */
  record Gap(long salt, int blocks, int percent) implements Step {
    @Override
    public String toString() {
      return Steps.java(this);
    }
  }

  /**
   * The node is unreachable (carrier and block source) for the next {@code blocks} blocks.
   *
   * @param salt unused; kept for uniformity
   * @param blocks how long the outage lasts, in blocks mined
   */
  record NodeDown(long salt, int blocks) implements Step {
    @Override
    public String toString() {
      return Steps.java(this);
    }
  }

  /**
   * The node answers "warming up" (-28) for the next {@code blocks} blocks.
   *
   * @param salt unused; kept for uniformity
   * @param blocks how long the warm-up lasts, in blocks mined
   */
  record WarmUp(long salt, int blocks) implements Step {
    @Override
    public String toString() {
      return Steps.java(this);
    }
  }

  /**
   * Only the block source fails (a host whose blocks come from elsewhere than its carrier) for the
   * next {@code blocks} blocks.
   *
   * @param salt unused; kept for uniformity
   * @param blocks how long the outage lasts, in blocks mined
   */
  record SourceDown(long salt, int blocks) implements Step {
    @Override
    public String toString() {
      return Steps.java(this);
    }
  }

  /**
   * The node will answer the next broadcast of an appointment's penalty with a bitcoind error code.
   *
   * @param salt unused; kept for uniformity
   * @param target which appointment, modulo their number
   * @param code -26 (rejected for now), -25 or -22 (for good)
   */
  record Reject(long salt, int target, int code) implements Step {
    @Override
    public String toString() {
      return Steps.java(this);
    }
  }

  /**
   * The Responder's process dies or its store fails.
   *
   * @param salt seed of the restart's choices (whether the block source is reachable at start)
   * @param mode what happens
   * @param calls for {@link CrashMode#DIE_AT_CALL} and {@link CrashMode#DIE_AFTER_COMMIT}: which call
   *     or commit, counting from now
   */
  record Crash(long salt, CrashMode mode, int calls) implements Step {
    @Override
    public String toString() {
      return Steps.java(this);
    }
  }

  /** Which port an injected unchecked failure hits. */
  enum Port {
    /** A store read ({@code find}, {@code loadTrackers}, {@code loadTip}): a pool that cannot lend a connection. */
    STORE_READ,
    /** A block source call throwing something other than a {@code BlockSourceException}. */
    BLOCK_SOURCE,
    /** A carrier call throwing instead of answering. */
    CARRIER
  }

  /**
   * The {@code calls}-th call to a port, counting from now, throws an unchecked exception the port's
   * contract does not document; the host retries the Responder call that failed, once, at once.
   *
   * @param salt unused; kept for uniformity
   * @param port which port fails
   * @param calls which call to that port, counting from 1
   */
  record PortFault(long salt, Port port, int calls) implements Step {
    @Override
    public String toString() {
      return Steps.java(this);
    }
  }

  /**
   * The node stalls: until {@code blocks} more blocks past the next one are mined it knows only the
   * chain up to the current tip (not the blocks mined meanwhile nor, in its mempool, what they
   * confirm). The host's chain loop runs on that node, so it delivers nothing above it; the watcher
   * sees the new blocks elsewhere.
   *
   * @param salt unused; kept for uniformity
   * @param blocks how many blocks past the next one the stall lasts
   */
  record NodeLags(long salt, int blocks) implements Step {
    @Override
    public String toString() {
      return Steps.java(this);
    }
  }

  /**
   * A reorganisation like {@link Reorg}, after which the node's mempool is empty (a node restarted
   * during the reorganisation): neither what the disconnected blocks confirmed nor what waited is
   * there, and only the Responder can bring its transactions back.
   *
   * @param salt seed of the new branch's contents and of delivery choices
   * @param depth blocks disconnected (capped by the chain's length)
   * @param extraBlocks how much longer the new branch is
   * @param percent chance of each mempool transaction to be included in each new block
   */
  record FlushingReorg(long salt, int depth, int extraBlocks, int percent) implements Step {
    @Override
    public String toString() {
      return Steps.java(this);
    }
  }

  /**
   * The node runs with or without a transaction index ({@code -txindex}) from now on: without one it
   * finds a confirmed transaction only in a block it is told.
   *
   * @param salt unused; kept for uniformity
   * @param enabled whether the node has the index
   */
  record TxIndex(long salt, boolean enabled) implements Step {
    @Override
    public String toString() {
      return Steps.java(this);
    }
  }

  /**
   * The node comes back now if it was down or warming up, and the host, told so by its poller,
   * calls {@code syncWithBlockSource()}.
   *
   * @param salt unused; kept for uniformity
   */
  record NodeBack(long salt) implements Step {
    @Override
    public String toString() {
      return Steps.java(this);
    }
  }
}

/** Prints steps as the Java that rebuilds them. */
final class Steps {
  private Steps() {}

  static String java(Record step) {
    StringBuilder out = new StringBuilder("new Step.").append(step.getClass().getSimpleName()).append('(');
    RecordComponent[] components = step.getClass().getRecordComponents();
    for (int i = 0; i < components.length; i++) {
      if (i > 0) {
        out.append(", ");
      }
      Object value;
      try {
        value = components[i].getAccessor().invoke(step);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
      if (value instanceof Long l) {
        out.append(l).append('L');
      } else if (value instanceof Enum<?> e) {
        out.append("Step.").append(e.getDeclaringClass().getSimpleName()).append('.').append(e.name());
      } else {
        out.append(value);
      }
    }
    return out.append(')').toString();
  }
}
