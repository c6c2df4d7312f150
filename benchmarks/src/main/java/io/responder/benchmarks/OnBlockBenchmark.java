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
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time of one {@code onBlock} that connects a fresh block on top of the tip: 4,000 txids, of which
 * 40 (1%) are tracked penalties being confirmed, with {@code trackers} trackers in the Responder (an
 * in-memory store, a carrier that accepts everything).
 *
 * <p>Steady state: every block confirms 40 penalties that were never confirmed before in this run
 * (or were handed over again after completing), and from the 100th block on 40 penalties complete in
 * each block, so the confirmed set stays at 4,000 and nothing drains. Penalty {@code p} is confirmed
 * by block {@code p / 40} of each cycle of {@code trackers / 40} blocks; completed trackers are
 * handed over again between iterations, at least 100 blocks before their penalty's next turn.
 *
 * <p>Rebroadcasts are switched off (the threshold is {@value #NO_REBROADCAST} blocks, far more than a
 * run connects; the Responder's lazy schedule entries for it are dropped at that height, so it is not
 * made larger): with every tracker accepted
 * at the same height, the spec's rebroadcast after 6 missed blocks would send all of them again in
 * one block, a cost of one carrier call per unconfirmed penalty that is by design and is reported by
 * the trace replay instead. This benchmark measures the per-block cost that must not grow with the
 * number of trackers.
 *
 * <p>One iteration is one shot of {@value #BLOCKS} consecutive blocks; the score is per block. The
 * setup (building the blocks, handing over breaches again) allocates far more than the blocks do, so
 * it ends with a full collection: otherwise the young collection its garbage causes lands in the
 * measured blocks, whose own allocation (printed at the end, about 30 KB a block) would take tens of
 * thousands of blocks to fill the young generation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 6)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g"})
public class OnBlockBenchmark {
  /** Blocks per iteration. */
  static final int BLOCKS = 50;
  /** Txids per block, as in the issue: a full block of a few thousand transactions. */
  static final int TXIDS_PER_BLOCK = 4_000;
  /** Tracked penalties confirmed per block: 1% of the block. */
  static final int CONFIRMED_PER_BLOCK = 40;
  private static final int START_HEIGHT = 800_000;
  private static final long SEED = 1;
  /** No rebroadcast during the run: see the class comment. */
  static final int NO_REBROADCAST = 100_000;

  /** Trackers in the Responder. */
  @Param({"10000", "100000", "1000000"})
  public int trackers;

  private SyntheticBreaches breaches;
  private CountingCarrier carrier;
  private ChainSource source;
  private Responder responder;
  /** Penalty indexes confirmed by each connected block, oldest first, until handed over again. */
  private final ArrayDeque<int[]> confirmedByBlock = new ArrayDeque<>();
  private long blocksConnected;
  private BlockRef tip;
  private final List<Block> next = new ArrayList<>(BLOCKS);
  private long carrierCallsBefore;
  private long carrierCallsInBlocks;
  private long allocatedBefore;
  private long allocatedInBlocks;

  /** Hands over {@code trackers} breaches. */
  @Setup(Level.Trial)
  public void setUp() {
    if (trackers / CONFIRMED_PER_BLOCK <= ResponderConfig.DEFAULT_IRREVOCABLE_DEPTH + 2 * BLOCKS) {
      throw new IllegalArgumentException("too few trackers for the confirmation cycle: " + trackers);
    }
    breaches = new SyntheticBreaches(SEED);
    carrier = new CountingCarrier();
    tip = new BlockRef(SyntheticBreaches.blockHash(SEED, START_HEIGHT), START_HEIGHT);
    source = new ChainSource(tip, ResponderConfig.DEFAULT_REORG_WINDOW + 1); // bounded: runs are long
    responder = Responder.builder()
        .config(ResponderConfig.defaults().withRebroadcastAfterMissed(NO_REBROADCAST))
        .carrier(carrier)
        .blockSource(source)
        .store(new InMemoryTrackerStore())
        .start();
    for (int i = 0; i < trackers; i++) {
      responder.handleBreach(breaches.breach(i, tip.hash(), -1));
    }
    System.gc(); // the Responder's state is old by the time blocks arrive
  }

  /** Hands over again the trackers that completed, and builds the next blocks. */
  @Setup(Level.Iteration)
  public void prepareBlocks() {
    long completedBefore = blocksConnected - ResponderConfig.DEFAULT_IRREVOCABLE_DEPTH + 1;
    while (!confirmedByBlock.isEmpty() && blocksConnected - confirmedByBlock.size() < completedBefore) {
      for (int p : confirmedByBlock.removeFirst()) {
        responder.handleBreach(breaches.breach(p, tip.hash(), -1));
      }
    }
    next.clear();
    Random shuffle = new Random(blocksConnected);
    for (int k = 0; k < BLOCKS; k++) {
      long j = blocksConnected + k;
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
      int height = tip.height() + 1 + k;
      BlockRef parent = k == 0 ? tip : next.get(k - 1).ref();
      next.add(new Block(SyntheticBreaches.blockHash(SEED, height), parent.hash(), height, txids));
      confirmedByBlock.addLast(confirmed);
    }
    System.gc(); // see the class comment
    carrierCallsBefore = carrier.calls();
    allocatedBefore = allocatedBytes();
  }

  /** Connects the prepared blocks, one {@code onBlock} each. */
  @Benchmark
  @OperationsPerInvocation(BLOCKS)
  public void onBlock() {
    for (Block b : next) {
      source.handed(b);
      responder.onBlock(b);
    }
  }

  /** Moves the tip past the blocks just connected. */
  @TearDown(Level.Iteration)
  public void afterIteration() {
    allocatedInBlocks += allocatedBytes() - allocatedBefore;
    blocksConnected += BLOCKS;
    tip = next.get(BLOCKS - 1).ref();
    if (!responder.tip().equals(tip)) {
      throw new IllegalStateException("the Responder is at " + responder.tip() + ", expected " + tip);
    }
    carrierCallsInBlocks += carrier.calls() - carrierCallsBefore;
  }

  /** Reports what the blocks did, so that a drained or leaking setup shows. */
  @TearDown(Level.Trial)
  public void report() {
    System.out.println();
    System.out.println("trackers=" + responder.trackerCount() + " after " + blocksConnected
        + " blocks; carrier calls during onBlock: " + carrierCallsInBlocks + "; bytes allocated per onBlock: "
        + (blocksConnected == 0 ? 0 : allocatedInBlocks / blocksConnected));
  }

  /** Bytes this thread allocated so far, where the JVM can tell (HotSpot can). */
  private static long allocatedBytes() {
    if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t) {
      return t.getCurrentThreadAllocatedBytes();
    }
    return 0;
  }
}
