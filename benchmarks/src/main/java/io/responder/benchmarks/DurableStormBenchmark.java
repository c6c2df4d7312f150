package io.responder.benchmarks;

import io.responder.core.Block;
import io.responder.core.BlockRef;
import io.responder.core.Responder;
import io.responder.core.StoreUpdate;
import io.responder.core.TrackerStatus;
import io.responder.core.TransactionTracker;
import io.responder.store.jdbc.JdbcTrackerStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteDataSource;

/**
 * A rebroadcast storm on a durable store, end to end: a Responder over a {@link JdbcTrackerStore}
 * that holds {@code --trackers} penalties (default 100,000), all accepted by the node at the same
 * height, as after a bulk hand-over, is handed empty blocks until every penalty has missed six, and
 * each of {@code --storms} storms (default 2) is timed: the whole {@code onBlock}, the store's reads
 * of the raw penalties and its commit included, against a carrier that accepts everything. Printed,
 * never asserted.
 *
 * <p>SQLite (a file in a temporary directory, WAL, {@code synchronous=FULL}) always; PostgreSQL too
 * when {@code RESPONDER_PG_URL}, {@code RESPONDER_PG_USER} and {@code RESPONDER_PG_PASSWORD} are set
 * (see {@code .ci/start-postgres.sh}), in a new schema dropped at the end. Run from the repository
 * root after {@code ./mvnw -q install -DskipTests}:
 * {@code java -cp benchmarks/target/benchmarks.jar io.responder.benchmarks.DurableStormBenchmark}.
 * To compare two cores, put the other core's jar first on the class path.
 */
public final class DurableStormBenchmark {
  private static final int TIP_HEIGHT = 800_000;
  private static final int FILL_BATCH = 10_000;
  private static final long SEED = 7;

  private final int trackers;
  private final int storms;

  DurableStormBenchmark(int trackers, int storms) {
    this.trackers = trackers;
    this.storms = storms;
  }

  /**
   * Runs the benchmark.
   *
   * @param args {@code --trackers N}, {@code --storms N}, {@code --no-postgres}, {@code --no-sqlite}
   * @throws Exception if a database fails
   */
  public static void main(String[] args) throws Exception {
    int trackers = 100_000;
    int storms = 2;
    boolean postgres = true;
    boolean sqlite = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--trackers" -> trackers = Integer.parseInt(args[++i]);
        case "--storms" -> storms = Integer.parseInt(args[++i]);
        case "--no-postgres" -> postgres = false;
        case "--no-sqlite" -> sqlite = false;
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + " (expected --trackers N, --storms N, --no-postgres, --no-sqlite)");
      }
    }
    DurableStormBenchmark bench = new DurableStormBenchmark(trackers, storms);
    System.out.printf("durable storm benchmark: %,d trackers, %d storms (%d cores, Java %s, core %s)%n", trackers,
        storms, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
        Responder.class.getProtectionDomain().getCodeSource().getLocation().getPath().replaceAll(".*/", ""));
    if (sqlite) {
      Path dir = Files.createTempDirectory("responder-storm-bench");
      try {
        SQLiteDataSource ds = new SQLiteDataSource();
        ds.setUrl("jdbc:sqlite:" + dir.resolve("bench.db"));
        bench.run(ds, "sqlite").forEach(System.out::println);
      } finally {
        JdbcStoreBenchmark.deleteTree(dir);
      }
    }
    String url = System.getenv("RESPONDER_PG_URL");
    if (postgres && url != null && !url.isBlank()) {
      String schema = "responder_storm_" + Long.toUnsignedString(new Random().nextLong(), 36);
      PGSimpleDataSource direct = new PGSimpleDataSource();
      direct.setUrl(url);
      direct.setUser(System.getenv("RESPONDER_PG_USER"));
      direct.setPassword(System.getenv("RESPONDER_PG_PASSWORD"));
      JdbcStoreBenchmark.execute(direct, "CREATE SCHEMA " + schema);
      try {
        PGSimpleDataSource inSchema = new PGSimpleDataSource();
        inSchema.setUrl(url);
        inSchema.setUser(direct.getUser());
        inSchema.setPassword(direct.getPassword());
        inSchema.setCurrentSchema(schema);
        bench.run(inSchema, "postgresql").forEach(System.out::println);
      } finally {
        JdbcStoreBenchmark.execute(direct, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      }
    } else {
      System.out.println("postgresql: skipped (" + (postgres ? "RESPONDER_PG_URL not set" : "--no-postgres") + ")");
    }
  }

  /**
   * Fills a store in {@code ds}, starts a Responder over it and times the storms.
   *
   * @return one row per storm, as printed
   */
  List<String> run(DataSource ds, String name) {
    List<String> rows = new ArrayList<>();
    SyntheticBreaches breaches = new SyntheticBreaches(SEED);
    BlockRef tip = new BlockRef(SyntheticBreaches.blockHash(SEED, TIP_HEIGHT), TIP_HEIGHT);
    ChainSource source = new ChainSource(tip);
    try (JdbcTrackerStore store = JdbcTrackerStore.open(ds)) {
      long fillStart = System.nanoTime();
      List<TransactionTracker> batch = new ArrayList<>(FILL_BATCH);
      TrackerStatus accepted = new TrackerStatus.InMempool(TIP_HEIGHT);
      for (int i = 0; i < trackers; i++) {
        batch.add(TransactionTracker.of(breaches.breach(i, tip.hash(), -1), OptionalInt.of(TIP_HEIGHT), accepted));
        if (batch.size() == FILL_BATCH || i == trackers - 1) {
          store.commit(new StoreUpdate(batch, Map.of(), Set.of(), Optional.of(tip)));
          batch.clear();
        }
      }
      double fill = (System.nanoTime() - fillStart) / 1e9;
      CountingCarrier carrier = new CountingCarrier();
      Responder responder = Responder.builder().carrier(carrier).blockSource(source).store(store).start();
      BlockRef at = tip;
      for (int storm = 1; storm <= storms; storm++) {
        double quiet = 0;
        for (int k = 1; k < 6; k++) {
          long start = System.nanoTime();
          at = deliver(responder, source, at);
          quiet = Math.max(quiet, (System.nanoTime() - start) / 1e6);
        }
        long sentBefore = carrier.broadcasts();
        long start = System.nanoTime();
        at = deliver(responder, source, at);
        double ms = (System.nanoTime() - start) / 1e6;
        rows.add(String.format("row: store=%s trackers=%d storm=%d storm_ms=%.0f rebroadcasts=%d us_per_penalty=%.1f"
            + " quiet_block_ms_max=%.1f fill_s=%.1f", name, trackers, storm, ms, carrier.broadcasts() - sentBefore,
            ms * 1e3 / Math.max(1, carrier.broadcasts() - sentBefore), quiet, fill));
      }
    }
    return rows;
  }

  private static BlockRef deliver(Responder responder, ChainSource source, BlockRef parent) {
    int height = parent.height() + 1;
    Block block = new Block(SyntheticBreaches.blockHash(SEED + 1, height), parent.hash(), height, List.of());
    source.handed(block);
    responder.onBlock(block);
    return block.ref();
  }
}
