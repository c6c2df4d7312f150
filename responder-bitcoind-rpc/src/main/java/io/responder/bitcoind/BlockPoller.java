package io.responder.bitcoind;

import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.BlockSourceException;
import io.responder.core.Responder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A chain loop for hosts that have none: polls bitcoind's best block hash at a fixed interval on one
 * thread it owns and hands each new best block to {@link Responder#onBlock(Block)}.
 *
 * <p>When several blocks arrived since the Responder's tip, the poller fetches the missing ones in
 * batches ({@link BitcoindBlockSource#blockHashesAt}, {@link BitcoindBlockSource#blocks}) and hands
 * each batch over in chain order before fetching the next, so memory does not grow with the gap and
 * a poll that fails halfway keeps the blocks already handed over. A best chain that changes during
 * the catch-up (a reorganisation, a race with the node) is left to the Responder's own catch-up
 * through its block source.
 *
 * <p>A poll that fails is logged and the next one tries again: the node going away and coming back
 * costs nothing but the polls in between. Failures of the node ({@link BlockSourceException}, also
 * from inside {@code onBlock}) are logged at WARN without a stack trace, once per distinct reason;
 * any other {@link RuntimeException} from {@code onBlock} is logged at ERROR with its stack trace.
 * An {@link Error} ends the loop.
 *
 * <h2>Threading</h2>
 * Instances are thread-safe. {@link #start()} starts the one thread; {@link #pollOnce()} may also
 * be called by any thread (tests do, and hosts that want a poll now), and polls never overlap.
 * {@link #close()} stops the loop and waits for a poll in progress to finish (at most about one
 * request timeout plus the Responder's work); it does not interrupt it, since an interrupt could
 * break a durable store in the middle of a commit.
 *
 * @since 0.1.0
 */
public final class BlockPoller implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BlockPoller.class);

  /** What one poll did. */
  public enum Poll {
    /** The best block is the Responder's tip. */
    UNCHANGED,
    /** One or more blocks were handed to the Responder. */
    ADVANCED,
    /** bitcoind or the Responder failed; the next poll tries again. */
    FAILED
  }

  /** The part of the Responder the poller drives; tests substitute it. */
  interface Chain {
    BlockRef tip();

    void onBlock(Block block);

    /** The node answers again after failed polls: pending penalties are retried at once. */
    void nodeReachableAgain();
  }

  /**
   * Blocks fetched ahead of the Responder while catching up: one batch request's worth, so a gap
   * costs one round trip per {@value} blocks while at most that many (about 130 KB each when full,
   * parsed) are held at once. The whole gap at once ran out of memory on gaps of a few thousand.
   */
  static final int CATCH_UP_BATCH = BitcoindBlockSource.MAX_BATCH;

  private final BitcoindBlockSource source;
  private final Chain chain;
  private final Duration interval;
  private final ThreadFactory threadFactory;
  private final ReentrantLock pollLock = new ReentrantLock();

  private final Object lifecycle = new Object();
  private @Nullable ScheduledExecutorService executor; // guarded by lifecycle
  private volatile boolean closed;
  private volatile Thread pollThread;

  // Guarded by pollLock.
  private @Nullable String lastFailure;
  private int failedPolls;

  BlockPoller(BitcoindBlockSource source, Chain chain, Duration interval, ThreadFactory threadFactory) {
    this.source = Objects.requireNonNull(source, "source");
    this.chain = Objects.requireNonNull(chain, "chain");
    this.interval = Objects.requireNonNull(interval, "interval");
    this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive, got " + interval);
    }
  }

  /**
   * Creates a poller, not started yet.
   *
   * @param source the block source of the node to poll
   * @param responder the Responder to hand blocks to
   * @param interval time between the end of one poll and the start of the next; positive
   * @return the poller
   */
  public static BlockPoller create(BitcoindBlockSource source, Responder responder, Duration interval) {
    Objects.requireNonNull(responder, "responder");
    Chain chain = new Chain() {
      @Override
      public BlockRef tip() {
        return responder.tip();
      }

      @Override
      public void onBlock(Block block) {
        responder.onBlock(block);
      }

      @Override
      public void nodeReachableAgain() {
        responder.syncWithBlockSource();
      }
    };
    return new BlockPoller(source, chain, interval, r -> {
      Thread t = new Thread(r, "responder-bitcoind-poller");
      t.setDaemon(true); // a host that forgets close() can still exit
      return t;
    });
  }

  /**
   * Starts polling on the poller's thread, the first poll at once. Calling it again does nothing.
   *
   * @throws IllegalStateException if the poller was closed
   */
  public void start() {
    synchronized (lifecycle) {
      if (closed) {
        throw new IllegalStateException("poller closed");
      }
      if (executor != null) {
        return;
      }
      executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = threadFactory.newThread(r);
        pollThread = t;
        return t;
      });
      executor.scheduleWithFixedDelay(this::pollOnce, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Polls once on the calling thread: asks for the best block hash and, if it is not the
   * Responder's tip, hands the new blocks to the Responder. Waits for a poll in progress on another
   * thread first.
   *
   * @return what the poll did; failures are logged, never thrown
   */
  public Poll pollOnce() {
    pollLock.lock();
    try {
      Poll outcome = poll();
      if (failedPolls > 0) {
        // Breaches handed over while the node was away wait as pending penalties: with the
        // cheater's clock running they are retried now, not when the next block comes.
        chain.nodeReachableAgain();
        log.atInfo().addKeyValue("failedPolls", failedPolls).log("polling bitcoind works again");
        failedPolls = 0;
        lastFailure = null;
      }
      return outcome;
    } catch (BlockSourceException e) {
      failed(e.getMessage());
      return Poll.FAILED;
    } catch (RuntimeException e) {
      failedPolls++;
      lastFailure = e.toString();
      log.atError().setCause(e).log("handing a block to the Responder failed; the next poll tries again");
      return Poll.FAILED;
    } finally {
      pollLock.unlock();
    }
  }

  private Poll poll() {
    BlockHash best = source.bestBlockHash();
    BlockRef tip = chain.tip();
    if (best.equals(tip.hash())) {
      return Poll.UNCHANGED;
    }
    Block bestBlock = source.block(best);
    // The blocks between the tip and the best block, fetched one batch at a time and handed over
    // before the next batch is fetched: memory stays at one batch however long the gap.
    BlockHash previous = null; // the Responder handles a first block that does not follow its tip
    for (int from = tip.height() + 1; from < bestBlock.height(); from += CATCH_UP_BATCH) {
      List<Block> batch = nextBatch(from, Math.min(CATCH_UP_BATCH, bestBlock.height() - from));
      if (batch.isEmpty()) {
        break; // the chain got shorter meanwhile
      }
      for (Block b : batch) {
        if (closed) {
          return Poll.ADVANCED;
        }
        if (previous != null && !b.previousHash().equals(previous)) {
          // The best chain changed between two batches: the Responder's catch-up takes over.
          chain.onBlock(bestBlock);
          return Poll.ADVANCED;
        }
        chain.onBlock(b);
        previous = b.hash();
      }
    }
    if (!closed) {
      chain.onBlock(bestBlock);
    }
    return Poll.ADVANCED;
  }

  /**
   * The best chain's blocks at {@code count} heights from {@code from}, or none if the best chain
   * got shorter meanwhile (the Responder's catch-up then takes over from the best block).
   */
  private List<Block> nextBatch(int from, int count) {
    List<BlockHash> hashes = new ArrayList<>(count);
    for (Optional<BlockHash> h : source.blockHashesAt(from, count)) {
      if (h.isEmpty()) {
        return List.of();
      }
      hashes.add(h.get());
    }
    return source.blocks(hashes);
  }

  private void failed(String reason) {
    failedPolls++;
    if (!reason.equals(lastFailure)) {
      log.atWarn().addKeyValue("reason", reason).addKeyValue("failedPolls", failedPolls)
          .log("polling bitcoind failed; the next poll tries again");
    } else {
      log.atDebug().addKeyValue("reason", reason).addKeyValue("failedPolls", failedPolls)
          .log("polling bitcoind failed again");
    }
    lastFailure = reason;
  }

  /**
   * Returns whether the loop was started and not closed.
   *
   * @return true while polling on the poller's thread
   */
  public boolean isRunning() {
    synchronized (lifecycle) {
      return executor != null && !closed;
    }
  }

  /** The loop's thread once started, for tests. */
  Thread pollThread() {
    return pollThread;
  }

  /**
   * Stops the loop and waits until a poll in progress has finished. Idempotent. Called from the
   * poller's own thread (from a listener, say), it stops the loop without waiting for itself.
   */
  @Override
  public void close() {
    ScheduledExecutorService ex;
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      ex = executor;
    }
    if (ex == null) {
      return;
    }
    ex.shutdown();
    if (Thread.currentThread() == pollThread) {
      return;
    }
    boolean interrupted = false;
    try {
      while (!ex.awaitTermination(1, TimeUnit.MINUTES)) {
        log.atWarn().log("still waiting for a bitcoind poll to finish");
      }
      Thread t = pollThread;
      if (t != null) {
        t.join(); // the executor has terminated; this only waits for the thread's last instructions
      }
    } catch (InterruptedException e) {
      interrupted = true;
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "BlockPoller{" + source + ", interval=" + interval + (isRunning() ? ", running" : "") + "}";
  }
}
