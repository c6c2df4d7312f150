package io.responder.benchmarks;

import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.Responder;
import io.responder.core.StoreUpdate;
import io.responder.core.TrackerStatus;
import io.responder.core.TransactionTracker;
import io.responder.store.inmemory.InMemoryTrackerStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Start-up: {@code Responder.builder()...start()} over an in-memory store that already holds
 * {@code trackers} trackers, the store's tip being the block source's best block (a restart with
 * nothing to catch up). The store is filled once; each shot builds a new Responder over it.
 *
 * <p>The trackers are a steady-state mix: 4,000 confirmed at the last 100 heights (40 per height),
 * 5% with a subscription end ahead, the rest in the mempool since heights spread over the last 6
 * blocks, every dispute seen at a height inside the reorganisation window.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
// The heap touched up front: otherwise the kernel zeroes its pages when the young generation first
// grows into them, which slows every thread for seconds wherever in the run that falls
// (BENCHMARKS.md, "Twelfth round").
@Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g", "-XX:+AlwaysPreTouch"})
public class StartupBenchmark {
  private static final int TIP_HEIGHT = 800_000;
  private static final int CONFIRMED = 4_000;
  private static final int BATCH = 10_000;

  /** Trackers in the store. */
  @Param({"1000000"})
  public int trackers;

  private InMemoryTrackerStore store;
  private ChainSource source;

  /** Fills the store. */
  @Setup(Level.Trial)
  public void setUp() {
    SyntheticBreaches breaches = new SyntheticBreaches(3);
    BlockRef tip = new BlockRef(SyntheticBreaches.blockHash(3, TIP_HEIGHT), TIP_HEIGHT);
    source = new ChainSource(tip);
    store = new InMemoryTrackerStore();
    List<TransactionTracker> batch = new ArrayList<>(BATCH);
    for (int i = 0; i < trackers; i++) {
      int height = TIP_HEIGHT - (i % 100);
      TrackerStatus status = i < CONFIRMED
          ? new TrackerStatus.Confirmed(new BlockRef(blockAt(height, tip), height))
          : new TrackerStatus.InMempool(TIP_HEIGHT - i % 6);
      int end = i % 20 == 0 ? TIP_HEIGHT + 1 + i % 50 : -1;
      batch.add(TransactionTracker.of(breaches.breach(i, tip.hash(), end), OptionalInt.of(TIP_HEIGHT - i % 50), status));
      if (batch.size() == BATCH || i == trackers - 1) {
        store.commit(new StoreUpdate(batch, Map.of(), Set.of(), Optional.of(tip)));
        batch.clear();
      }
    }
  }

  private static BlockHash blockAt(int height, BlockRef tip) {
    return height == tip.height() ? tip.hash() : SyntheticBreaches.blockHash(3, height);
  }

  /**
   * Starts a Responder over the store.
   *
   * @return the Responder, so that nothing is optimised away
   */
  @Benchmark
  public Responder start() {
    return Responder.builder().carrier(new CountingCarrier()).blockSource(source).store(store).start();
  }
}
