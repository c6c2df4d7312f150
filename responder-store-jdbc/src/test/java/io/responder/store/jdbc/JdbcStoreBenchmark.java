package io.responder.store.jdbc;

import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.StoreUpdate;
import io.responder.core.TrackerStatus;
import io.responder.core.TransactionTracker;
import io.responder.testkit.Appointment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

/**
 * Rough numbers for the JDBC store, printed, never asserted (speed belongs in benchmarks, not tests):
 * per-block commit time with 10,000 and 100,000 stored trackers for a block that changes 100 of them,
 * intake throughput (a breach costs the store a look-up and a one-tracker commit), and the time to
 * open the store and load 100,000 trackers. SQLite always; PostgreSQL when {@code RESPONDER_PG_URL}
 * and friends are set (see {@code .ci/start-postgres.sh}).
 *
 * <p>Run from the repository root:
 * {@code ./mvnw -q -pl responder-store-jdbc -am test-compile exec:java -Dexec.skip=false
 * -Dexec.classpathScope=test -Dexec.mainClass=io.responder.store.jdbc.JdbcStoreBenchmark}, or with
 * {@code java -cp} over the module's test class path.
 */
public final class JdbcStoreBenchmark {
  private static final int[] SIZES = {10_000, 100_000};
  private static final int CHANGES_PER_BLOCK = 100;
  private static final int BLOCKS = 50;
  private static final int INTAKES = 500;
  private static final int FILL_BATCH = 1_000;

  private final Random rng = new Random(1);
  private int height = 1_000;

  private JdbcStoreBenchmark() {}

  /**
   * Runs the benchmark.
   *
   * @param args ignored
   * @throws Exception if a database fails
   */
  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("responder-jdbc-bench");
    System.out.printf("JDBC store benchmark (%d cores, Java %s)%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    new JdbcStoreBenchmark().run(TestDatabase.sqlite(dir.resolve("bench.db")), "SQLite (WAL, synchronous=FULL)");
    if (TestDatabase.postgresConfigured()) {
      new JdbcStoreBenchmark().run(TestDatabase.postgres(), "PostgreSQL (" + System.getenv(TestDatabase.PG_URL) + ")");
    } else {
      System.out.println("PostgreSQL: skipped (RESPONDER_PG_URL not set)");
    }
  }

  private void run(TestDatabase db, String name) throws Exception {
    System.out.println("== " + name);
    try (db) {
      JdbcTrackerStore store = db.open();
      List<UUID> stored = new ArrayList<>();
      intake(store, stored);
      for (int size : SIZES) {
        long fillStart = System.nanoTime();
        int before = stored.size();
        fill(store, stored, size);
        System.out.printf("  filled to %,d trackers: %,.0f trackers/s in batches of %,d%n", size,
            (size - before) / seconds(fillStart), FILL_BATCH);
        blocks(store, stored, size);
      }
      long openStart = System.nanoTime();
      store = db.reopen(store);
      double open = seconds(openStart);
      long loadStart = System.nanoTime();
      int[] count = {0};
      store.loadTrackers(t -> count[0]++);
      double load = seconds(loadStart);
      System.out.printf("  startup with %,d trackers: open %.0f ms, loadTrackers %.0f ms (%,.0f trackers/s)%n",
          count[0], open * 1e3, load * 1e3, count[0] / load);
    }
  }

  /** What a breach costs the store: a find that misses, then a commit adding one tracker. */
  private void intake(JdbcTrackerStore store, List<UUID> stored) {
    store.commit(new StoreUpdate(List.of(), Map.of(), Set.of(), Optional.of(block())));
    long start = System.nanoTime();
    for (int i = 0; i < INTAKES; i++) {
      TransactionTracker t = tracker();
      store.find(t.uuid());
      store.commit(new StoreUpdate(List.of(t), Map.of(), Set.of(), Optional.empty()));
      stored.add(t.uuid());
    }
    double s = seconds(start);
    System.out.printf("  intake: %,.0f breaches/s (find + one-tracker commit, %.2f ms each)%n", INTAKES / s,
        s * 1e3 / INTAKES);
  }

  private void fill(JdbcTrackerStore store, List<UUID> stored, int size) {
    while (stored.size() < size) {
      List<TransactionTracker> batch = new ArrayList<>(FILL_BATCH);
      for (int i = 0; i < FILL_BATCH && stored.size() + batch.size() < size; i++) {
        batch.add(tracker());
      }
      store.commit(new StoreUpdate(batch, Map.of(), Set.of(), Optional.empty()));
      batch.forEach(t -> stored.add(t.uuid()));
    }
  }

  /**
   * Blocks that each confirm 60 trackers, remove 20 and add 20: 100 changes and a new tip. The
   * store size stays the same.
   */
  private void blocks(JdbcTrackerStore store, List<UUID> stored, int size) {
    double[] ms = new double[BLOCKS];
    for (int b = 0; b < BLOCKS; b++) {
      BlockRef tip = block();
      Map<UUID, TrackerStatus> changes = new HashMap<>();
      Set<UUID> removed = new HashSet<>();
      while (changes.size() < 60) {
        changes.put(stored.get(rng.nextInt(stored.size())), new TrackerStatus.Confirmed(tip));
      }
      while (removed.size() < 20) {
        UUID u = stored.get(rng.nextInt(stored.size()));
        if (!changes.containsKey(u)) {
          removed.add(u);
        }
      }
      List<TransactionTracker> added = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        added.add(tracker());
      }
      StoreUpdate update = new StoreUpdate(added, changes, removed, Optional.of(tip));
      long start = System.nanoTime();
      store.commit(update);
      ms[b] = seconds(start) * 1e3;
      stored.removeAll(removed);
      added.forEach(t -> stored.add(t.uuid()));
    }
    Arrays.sort(ms);
    System.out.printf("  block commit (100 changes) with %,d stored: median %.2f ms, p90 %.2f ms, max %.2f ms%n",
        size, ms[BLOCKS / 2], ms[BLOCKS * 9 / 10], ms[BLOCKS - 1]);
  }

  private TransactionTracker tracker() {
    return TransactionTracker.of(Appointment.random(rng).breach(block()), OptionalInt.of(height),
        new TrackerStatus.InMempool(height));
  }

  private BlockRef block() {
    byte[] b = new byte[32];
    rng.nextBytes(b);
    return new BlockRef(BlockHash.fromDisplayBytes(b), height++);
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
