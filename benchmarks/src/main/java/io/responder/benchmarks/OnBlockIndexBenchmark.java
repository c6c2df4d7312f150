package io.responder.benchmarks;

import io.responder.core.Block;
import io.responder.core.BlockRef;
import io.responder.core.Responder;
import io.responder.core.ResponderConfig;
import io.responder.core.Txid;
import io.responder.store.inmemory.InMemoryTrackerStore;
import java.lang.management.ManagementFactory;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The index benchmark: what one {@code onBlock} costs for the txid index and the schedules when the
 * block's work is held constant whatever the number of trackers. It is not what a busy tower sees
 * (there the trackers a block changes grow with their number): that is {@link TraceReplay}'s trace,
 * the headline figure.
 *
 * <p>Time of one {@code onBlock} that connects a fresh block on top of the tip: 4,000 txids, of which
 * 40 (1%) are tracked penalties being confirmed, with {@code trackers} trackers in the Responder (the
 * in-memory store, a carrier that accepts everything and counts its calls). Sampled per block, so
 * JMH prints the median and the tail as well as the mean.
 *
 * <p>Steady state: block {@code j} confirms penalties {@code 40j .. 40j + 39} (modulo
 * {@code trackers}), and from the 100th block on, the 40 penalties confirmed 100 blocks earlier
 * complete in each block, so the confirmed set stays at 4,000 and the tracker count stays at
 * {@code trackers}: before each block, as a host would between blocks, the breaches whose trackers
 * completed in the previous block are handed over again (their penalty's next turn is
 * {@code trackers / 40} blocks after the last, long after they are tracked again).
 *
 * <p>The block is built before each call, untimed, like a block the host has just parsed: its txids
 * are fresh objects. Building it and handing breaches over are the host's work and are not measured.
 *
 * <p>Rebroadcasts are kept out of the measurement: the threshold is set above the longest time any
 * penalty waits for its turn ({@code trackers / 40 + 200} blocks), so none fires. With every tracker
 * accepted at one height, the spec's 6 missed blocks would send all of them again in one block: one
 * carrier call per unconfirmed penalty, a cost that is by design and is reported by the trace replay
 * instead. This benchmark measures the per-block cost that must not grow with the number of trackers;
 * with 40 confirmations, 40 completions, no expiry and no rebroadcast per block by construction,
 * "carrier calls do not grow with N" holds here trivially.
 *
 * <p>One block is not like the others: the setup files every tracker in the rebroadcast schedule at
 * the start height plus the threshold, and by then every one of them has completed and been handed
 * over again (a new group, filed afresh), so that block drains {@code trackers} dead schedule entries
 * at once. The trial report names the slowest block and that block's number, so it shows whether the
 * maximum is that drain.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
// The heap touched up front: otherwise the kernel zeroes its pages when the young generation first
// grows into them, which slows every thread for seconds wherever in the run that falls
// (BENCHMARKS.md, "Twelfth round").
@Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g", "-XX:+AlwaysPreTouch"})
public class OnBlockIndexBenchmark {
  /** Txids per block, as in the issue: a full block of a few thousand transactions. */
  static final int TXIDS_PER_BLOCK = 4_000;
  /** Tracked penalties confirmed per block: 1% of the block. */
  static final int CONFIRMED_PER_BLOCK = 40;
  private static final int DEPTH = ResponderConfig.DEFAULT_IRREVOCABLE_DEPTH;
  private static final int START_HEIGHT = 800_000;
  private static final long SEED = 1;

  /** Trackers in the Responder. */
  @Param({"10000", "100000", "1000000"})
  public int trackers;

  private SyntheticBreaches breaches;
  private CountingCarrier carrier;
  private ChainSource source;
  private Responder responder;
  /** Penalty indexes confirmed by each of the last blocks, oldest first, until handed over again. */
  private final ArrayDeque<int[]> confirmedByBlock = new ArrayDeque<>();
  private long blocksConnected;
  private BlockRef tip;
  private Block next;
  private final Random shuffle = new Random(SEED);
  private long carrierCallsBefore;
  private long carrierCallsInBlocks;
  private long allocatedBefore;
  private long allocatedInBlocks;
  private long blockStarted;
  private long slowestNanos;
  private long slowestBlock = -1;

  /**
   * The rebroadcast threshold: more blocks than any penalty waits for its turn.
   *
   * @param trackers trackers in the run
   * @return the threshold
   */
  static int noRebroadcastWithin(int trackers) {
    return trackers / CONFIRMED_PER_BLOCK + 2 * DEPTH;
  }

  /** Hands over {@code trackers} breaches. */
  @Setup(Level.Trial)
  public void setUp() {
    if (trackers / CONFIRMED_PER_BLOCK <= DEPTH + 1) {
      throw new IllegalArgumentException("too few trackers for the confirmation cycle: " + trackers);
    }
    breaches = new SyntheticBreaches(SEED);
    carrier = new CountingCarrier();
    tip = new BlockRef(SyntheticBreaches.blockHash(SEED, START_HEIGHT), START_HEIGHT);
    source = new ChainSource(tip, ResponderConfig.DEFAULT_REORG_WINDOW + 1); // bounded: runs are long
    responder = Responder.builder()
        .config(ResponderConfig.defaults().withRebroadcastAfterMissed(noRebroadcastWithin(trackers)))
        .carrier(carrier)
        .blockSource(source)
        .store(new InMemoryTrackerStore())
        .start();
    for (int i = 0; i < trackers; i++) {
      responder.handleBreach(breaches.breach(i, tip.hash(), -1));
    }
    System.gc(); // the Responder's state is old by the time blocks arrive
  }

  /** Hands over again the trackers that completed, and builds the next block. */
  @Setup(Level.Invocation)
  public void prepareBlock() {
    // The front of the deque is block number (blocksConnected - size); its penalties completed in
    // block number front + DEPTH - 1, which is connected once DEPTH blocks are in the deque.
    while (confirmedByBlock.size() >= DEPTH) {
      for (int p : confirmedByBlock.removeFirst()) {
        responder.handleBreach(breaches.breach(p, tip.hash(), -1));
      }
    }
    long j = blocksConnected;
    int[] confirmed = new int[CONFIRMED_PER_BLOCK];
    List<Txid> txids = new ArrayList<>(TXIDS_PER_BLOCK);
    for (int t = 0; t < CONFIRMED_PER_BLOCK; t++) {
      confirmed[t] = (int) ((j * CONFIRMED_PER_BLOCK + t) % trackers);
      txids.add(breaches.penaltyTxid(confirmed[t]));
    }
    for (int t = CONFIRMED_PER_BLOCK; t < TXIDS_PER_BLOCK; t++) {
      txids.add(SyntheticBreaches.fillerTxid(SEED, j * TXIDS_PER_BLOCK + t));
    }
    Collections.shuffle(txids, shuffle);
    int height = tip.height() + 1;
    next = new Block(SyntheticBreaches.blockHash(SEED, height), tip.hash(), height, txids);
    confirmedByBlock.addLast(confirmed);
    source.handed(next);
    carrierCallsBefore = carrier.calls();
    allocatedBefore = allocatedBytes();
    blockStarted = System.nanoTime();
  }

  /** Connects the prepared block. */
  @Benchmark
  public void onBlock() {
    responder.onBlock(next);
  }

  /** Moves the tip to the block just connected. */
  @TearDown(Level.Invocation)
  public void afterBlock() {
    long nanos = System.nanoTime() - blockStarted; // the call plus JMH's bookkeeping around it
    if (nanos > slowestNanos) {
      slowestNanos = nanos;
      slowestBlock = blocksConnected;
    }
    allocatedInBlocks += allocatedBytes() - allocatedBefore;
    carrierCallsInBlocks += carrier.calls() - carrierCallsBefore;
    blocksConnected++;
    tip = next.ref();
  }

  /** Reports what the blocks did, so that a drained or leaking setup shows. */
  @TearDown(Level.Trial)
  public void report() {
    if (!responder.tip().equals(tip)) {
      throw new IllegalStateException("the Responder is at " + responder.tip() + ", expected " + tip);
    }
    System.out.println();
    System.out.println("trackers=" + responder.trackerCount() + " after " + blocksConnected
        + " blocks; carrier calls during onBlock: " + carrierCallsInBlocks + "; bytes allocated per onBlock: "
        + (blocksConnected == 0 ? 0 : allocatedInBlocks / blocksConnected));
    System.out.printf(java.util.Locale.ROOT, "slowest block: number %d of the trial, %.1f ms; the setup's %d schedule"
            + " entries fall due at block number %d%n", slowestBlock, slowestNanos / 1e6, trackers,
        noRebroadcastWithin(trackers) - 1);
  }

  /** Bytes this thread allocated so far, where the JVM can tell (HotSpot can). */
  private static long allocatedBytes() {
    if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t) {
      return t.getCurrentThreadAllocatedBytes();
    }
    return 0;
  }
}
