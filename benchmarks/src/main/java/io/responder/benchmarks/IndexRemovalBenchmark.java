package io.responder.benchmarks;

import io.responder.core.TrackerStatus;
import io.responder.core.Txid;
import io.responder.core.internal.PenaltyGroup;
import io.responder.core.internal.PenaltyIndex;
import io.responder.core.internal.StatusCodes;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
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
 * What a block's removals from the penalty index cost at a million penalties: the groups a block
 * completes or expires (about 3,400 a block in the shared trace at a million) taken out one after
 * another, as each was dropped until issue 16's seventh round, or together in passes
 * ({@link PenaltyIndex#removeAll}). Each invocation removes another random batch of filed groups,
 * whose groups and txids lie scattered in the heap as a tower's do, and puts it back afterwards,
 * outside the timing. Per invocation, so divide by {@code removals} for a removal.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 8, time = 2)
// The heap touched up front: otherwise the kernel zeroes its pages when the young generation first
// grows into them, which slows every thread for seconds wherever in the run that falls
// (BENCHMARKS.md, "Twelfth round").
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch"})
public class IndexRemovalBenchmark {
  private static final int BATCHES = 64;

  @Param({"1000000"})
  public int penalties;

  @Param({"3400"})
  public int removals;

  private final PenaltyIndex index = new PenaltyIndex();
  private final List<List<PenaltyGroup>> batches = new ArrayList<>();
  private int next;
  private List<PenaltyGroup> batch;

  /** Files the penalties (allocated in a random order) and draws the batches. */
  @Setup(Level.Trial)
  public void fill() {
    Random rng = new Random(16);
    int status = new StatusCodes().hold(new TrackerStatus.InMempool(800_000));
    PenaltyGroup[] all = new PenaltyGroup[penalties];
    byte[] bytes = new byte[32];
    for (int i = 0; i < penalties; i++) {
      rng.nextBytes(bytes);
      Txid txid = Txid.fromDisplayBytes(bytes);
      all[i] = new PenaltyGroup(txid, status, new UUID(rng.nextLong(), rng.nextLong()), -1, -1, false);
      index.put(txid, all[i]);
    }
    for (int b = 0; b < BATCHES; b++) {
      List<PenaltyGroup> drawn = new ArrayList<>(removals);
      for (int i = 0; i < removals; i++) {
        drawn.add(all[rng.nextInt(penalties)]); // a repeat is removed once and skipped after
      }
      batches.add(drawn);
    }
  }

  /** Picks the next batch. */
  @Setup(Level.Invocation)
  public void pick() {
    batch = batches.get(next++ % BATCHES);
  }

  /** Files the batch again. */
  @TearDown(Level.Invocation)
  public void refile() {
    for (PenaltyGroup g : batch) {
      index.put(g.txid(), g);
    }
  }

  /** @return the index's size after removing the batch one group at a time, by txid */
  @Benchmark
  public int oneAfterAnother() {
    for (PenaltyGroup g : batch) {
      index.remove(g.txid());
    }
    return index.size();
  }

  /** @return the index's size after removing the batch together */
  @Benchmark
  public int together() {
    index.removeAll(batch);
    return index.size();
  }
}
