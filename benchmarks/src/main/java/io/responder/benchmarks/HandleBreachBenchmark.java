package io.responder.benchmarks;

import io.responder.core.Block;
import io.responder.core.BlockRef;
import io.responder.core.Breach;
import io.responder.core.BreachReceipt;
import io.responder.core.Responder;
import io.responder.core.ResponderConfig;
import io.responder.store.inmemory.InMemoryTrackerStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Breaches handed over per second: each call is a new uuid with a new penalty, accepted by the
 * carrier and committed to the in-memory store before it returns. Breaches are built (and so
 * validated) before the iteration: building them is the host's work, not the Responder's. Every
 * iteration starts a new block interval (an empty block), as a host connects blocks while breaches
 * arrive.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// The heap touched up front: otherwise the kernel zeroes its pages when the young generation first
// grows into them, which slows every thread for seconds wherever in the run that falls
// (BENCHMARKS.md, "Twelfth round").
@Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g", "-XX:+AlwaysPreTouch"})
public class HandleBreachBenchmark {
  /** Breaches prepared per iteration: more than one second of intake on a fast machine. */
  private static final int POOL = 600_000;
  private static final int START_HEIGHT = 800_000;
  /** More blocks than a run connects: rebroadcasts would only time the carrier. */
  private static final int NO_REBROADCAST = 100_000;

  private SyntheticBreaches breaches;
  private ChainSource source;
  private Responder responder;
  private BlockRef tip;
  private long made;
  private Breach[] pool;
  private int next;

  /** Starts an empty Responder. */
  @Setup(Level.Trial)
  public void setUp() {
    breaches = new SyntheticBreaches(2);
    tip = new BlockRef(SyntheticBreaches.blockHash(2, START_HEIGHT), START_HEIGHT);
    source = new ChainSource(tip, ResponderConfig.DEFAULT_REORG_WINDOW + 1); // bounded: runs are long
    responder = Responder.builder()
        .config(ResponderConfig.defaults().withRebroadcastAfterMissed(NO_REBROADCAST))
        .carrier(new CountingCarrier())
        .blockSource(source)
        .store(new InMemoryTrackerStore())
        .start();
  }

  /** Connects an empty block and builds the iteration's breaches, seen in it. */
  @Setup(Level.Iteration)
  public void prepare() {
    pool = null; // let the last pool go before building the next
    Block empty = new Block(SyntheticBreaches.blockHash(2, tip.height() + 1), tip.hash(), tip.height() + 1, List.of());
    source.handed(empty);
    responder.onBlock(empty);
    tip = empty.ref();
    pool = new Breach[POOL];
    for (int i = 0; i < POOL; i++) {
      pool[i] = breaches.breach(made++, tip.hash(), -1);
    }
    next = 0;
  }

  /**
   * Hands over the next breach.
   *
   * @return the receipt
   */
  @Benchmark
  public BreachReceipt handleBreach() {
    if (next == pool.length) {
      throw new IllegalStateException("breach pool exhausted: raise POOL");
    }
    return responder.handleBreach(pool[next++]);
  }
}
