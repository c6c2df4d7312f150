package io.responder.benchmarks;

import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.StoreUpdate;
import io.responder.core.TrackerStatus;
import io.responder.core.TransactionTracker;
import io.responder.store.inmemory.InMemoryTrackerStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The in-memory store's side of a block at scale: one {@code commit} of {@value #BATCH} status
 * changes, and one of {@value #BATCH} removals, in a store of {@code n} trackers with random uuids
 * (a block at a million in the shared trace changes and removes about this many). The trackers a
 * commit changes or removes are picked at random, as a block's confirmations and completions
 * scatter over the store. After each removal commit, the removed trackers are added back, untimed,
 * so the store keeps its size. Average time per commit; divide by {@value #BATCH} for a tracker.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// The heap touched up front: otherwise the kernel zeroes its pages when the young generation first
// grows into them, which slows every thread for seconds wherever in the run that falls
// (BENCHMARKS.md, "Twelfth round").
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch"})
public class StoreCommitBenchmark {
  static final int BATCH = 10_000;

  /** Trackers in the store. */
  @Param({"100000", "1000000"})
  public int n;

  private InMemoryTrackerStore store;
  private List<TransactionTracker> trackers;
  private final Random rng = new Random(5);
  private int round;
  private StoreUpdate removal;
  /** The trackers the last removal took out, to add back before the next pick; null when none. */
  private StoreUpdate addBack;
  private StoreUpdate pendingAddBack;
  private StoreUpdate statusChange;

  /** Fills the store. */
  @Setup(Level.Trial)
  public void fill() {
    SyntheticBreaches breaches = new SyntheticBreaches(5);
    BlockHash seen = SyntheticBreaches.blockHash(5, 800_000);
    store = new InMemoryTrackerStore();
    trackers = new ArrayList<>(n);
    List<TransactionTracker> batch = new ArrayList<>(BATCH);
    for (int i = 0; i < n; i++) {
      TransactionTracker t = TransactionTracker.of(breaches.breach(i, seen, -1), OptionalInt.of(800_000),
          new TrackerStatus.InMempool(800_000));
      trackers.add(t);
      batch.add(t);
      if (batch.size() == BATCH || i == n - 1) {
        store.commit(new StoreUpdate(batch, Map.of(), Set.of(), Optional.empty()));
        batch = new ArrayList<>(BATCH);
      }
    }
    Collections.shuffle(trackers, rng);
  }

  /** Picks the next commit's trackers: a random slice of the store, different each time. */
  @Setup(Level.Invocation)
  public void pick() {
    if (addBack != null) {
      store.commit(addBack);
    }
    int from = rng.nextInt(n - BATCH);
    List<TransactionTracker> picked = trackers.subList(from, from + BATCH);
    Set<UUID> removed = new HashSet<>();
    Map<UUID, TrackerStatus> changed = new HashMap<>();
    TrackerStatus confirmed = new TrackerStatus.Confirmed(new BlockRef(SyntheticBreaches.blockHash(5, 800_001 + round), 800_001 + round));
    for (TransactionTracker t : picked) {
      removed.add(t.uuid());
      changed.put(t.uuid(), confirmed);
    }
    round++;
    removal = new StoreUpdate(List.of(), Map.of(), removed, Optional.empty());
    addBack = null;
    statusChange = new StoreUpdate(List.of(), changed, Set.of(), Optional.empty());
    pendingAddBack = new StoreUpdate(List.copyOf(picked), Map.of(), Set.of(), Optional.empty());
  }

  /** Commits {@value #BATCH} removals. */
  @Benchmark
  public void removals() {
    store.commit(removal);
    addBack = pendingAddBack;
  }

  /** Commits {@value #BATCH} status changes. */
  @Benchmark
  public void statusChanges() {
    store.commit(statusChange);
  }
}
