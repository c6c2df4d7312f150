package io.responder.benchmarks;

import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.StoreUpdate;
import io.responder.core.TrackerStatus;
import io.responder.core.TransactionTracker;
import io.responder.store.jdbc.JdbcTrackerStore;
import io.responder.testkit.Appointment;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.logging.Logger;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteDataSource;

/**
 * Numbers for {@link JdbcTrackerStore} (issue #8), printed, never asserted: per-block commit time
 * with 10,000 and 100,000 stored trackers for a block that changes 100 of them, intake throughput (a
 * breach costs the store a look-up and a one-tracker commit), and start-up time (open the store, then
 * load every tracker) from 100,000 and 1,000,000 stored trackers. SQLite (a file in a temporary
 * directory, WAL, {@code synchronous=FULL}) always; PostgreSQL when {@code RESPONDER_PG_URL},
 * {@code RESPONDER_PG_USER} and {@code RESPONDER_PG_PASSWORD} are set (see
 * {@code .ci/start-postgres.sh}), in a new schema dropped at the end, through a small connection
 * pool as a host would use.
 *
 * <p>Run from the repository root after {@code ./mvnw -q install -DskipTests}:
 * {@code java -cp benchmarks/target/benchmarks.jar io.responder.benchmarks.JdbcStoreBenchmark}.
 * Options: {@code --startup 100000,1000000} (the stored counts to measure start-up from, ascending),
 * {@code --no-postgres}, {@code --no-sqlite}.
 */
public final class JdbcStoreBenchmark {
  private static final String PG_URL = "RESPONDER_PG_URL";
  private static final String PG_USER = "RESPONDER_PG_USER";
  private static final String PG_PASSWORD = "RESPONDER_PG_PASSWORD";
  private static final int[] BLOCK_SIZES = {10_000, 100_000};
  private static final int CHANGES_PER_BLOCK = 100;
  private static final int BLOCKS = 100;
  private static final int INTAKES = 500;
  private static final int FILL_BATCH = 10_000;

  private final Random rng = new Random(1);
  private final int[] startupSizes;
  private int height = 1_000;
  /** Trackers in the store: {@code stored} holds the uuids of the first ones only. */
  private int total;

  private JdbcStoreBenchmark(int[] startupSizes) {
    this.startupSizes = startupSizes;
  }

  /**
   * Runs the benchmark.
   *
   * @param args {@code --startup N,M,...}, {@code --no-postgres}, {@code --no-sqlite}
   * @throws Exception if a database fails
   */
  public static void main(String[] args) throws Exception {
    int[] startup = {100_000, 1_000_000};
    boolean sqlite = true;
    boolean postgres = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--startup" -> startup = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).sorted()
            .toArray();
        case "--no-postgres" -> postgres = false;
        case "--no-sqlite" -> sqlite = false;
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + " (expected --startup N,M,..., --no-postgres, --no-sqlite)");
      }
    }
    System.out.printf("JDBC store benchmark (%d cores, Java %s)%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    if (sqlite) {
      Path dir = Files.createTempDirectory("responder-jdbc-bench");
      try {
        SQLiteDataSource ds = new SQLiteDataSource();
        ds.setUrl("jdbc:sqlite:" + dir.resolve("bench.db"));
        new JdbcStoreBenchmark(startup).run(ds, "SQLite (WAL, synchronous=FULL)");
      } finally {
        deleteTree(dir);
      }
    }
    String url = System.getenv(PG_URL);
    if (!postgres) {
      System.out.println("PostgreSQL: skipped (--no-postgres)");
    } else if (url == null || url.isBlank()) {
      System.out.println("PostgreSQL: skipped (" + PG_URL + " not set; source .ci/start-postgres.sh sets it)");
    } else {
      runPostgres(url, startup);
    }
  }

  private static void runPostgres(String url, int[] startup) throws Exception {
    String schema = "responder_bench_" + Long.toUnsignedString(new Random().nextLong(), 36);
    PGSimpleDataSource direct = new PGSimpleDataSource();
    direct.setUrl(url);
    direct.setUser(System.getenv(PG_USER));
    direct.setPassword(System.getenv(PG_PASSWORD));
    direct.setApplicationName("responder-jdbc-benchmark");
    execute(direct, "CREATE SCHEMA " + schema);
    try {
      PGSimpleDataSource inSchema = new PGSimpleDataSource();
      inSchema.setUrl(url);
      inSchema.setUser(direct.getUser());
      inSchema.setPassword(direct.getPassword());
      inSchema.setApplicationName(direct.getApplicationName());
      inSchema.setCurrentSchema(schema);
      try (Pool pool = new Pool(inSchema)) {
        new JdbcStoreBenchmark(startup).run(pool, "PostgreSQL (" + url + ", schema " + schema + ")");
      }
    } finally {
      execute(direct, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  private void run(DataSource ds, String name) {
    System.out.println("== " + name);
    JdbcTrackerStore store = JdbcTrackerStore.open(ds);
    try {
      List<UUID> stored = new ArrayList<>();
      intake(store, stored);
      for (int size : BLOCK_SIZES) {
        fill(store, stored, size, true);
        blocks(store, stored, size);
      }
      for (int size : startupSizes) {
        fill(store, stored, size, false);
        long openStart = System.nanoTime();
        store.close();
        store = JdbcTrackerStore.open(ds);
        double open = seconds(openStart);
        long loadStart = System.nanoTime();
        int[] count = {0};
        store.loadTrackers(t -> count[0]++);
        double load = seconds(loadStart);
        System.out.printf("  startup with %,d trackers: open %.0f ms + loadTrackers %.0f ms = %.2f s "
            + "(%,.0f trackers/s loaded)%n", count[0], open * 1e3, load * 1e3, open + load, count[0] / load);
      }
    } finally {
      store.close();
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
      total++;
    }
    double s = seconds(start);
    System.out.printf("  intake: %,.0f breaches/s (find + one-tracker commit, %.2f ms each, %d breaches)%n",
        INTAKES / s, s * 1e3 / INTAKES, INTAKES);
  }

  /**
   * Adds trackers in commits of {@value #FILL_BATCH} until {@code size} are stored. The uuids are kept
   * only when later blocks pick from them ({@code keep}); past that only the count grows.
   */
  private void fill(JdbcTrackerStore store, List<UUID> stored, int size, boolean keep) {
    int before = total;
    if (before >= size) {
      return;
    }
    long start = System.nanoTime();
    while (total < size) {
      List<TransactionTracker> batch = new ArrayList<>(FILL_BATCH);
      for (int i = 0; i < FILL_BATCH && total + batch.size() < size; i++) {
        batch.add(tracker());
      }
      store.commit(new StoreUpdate(batch, Map.of(), Set.of(), Optional.empty()));
      total += batch.size();
      if (keep) {
        batch.forEach(t -> stored.add(t.uuid()));
      }
    }
    System.out.printf("  filled to %,d trackers: %,.0f trackers/s in commits of %,d%n", size,
        (size - before) / seconds(start), FILL_BATCH);
  }

  /**
   * Blocks that each confirm 60 trackers, remove 20 and add 20: {@value #CHANGES_PER_BLOCK} changes
   * and a new tip. The store size stays the same.
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
      for (int i = 0; i < CHANGES_PER_BLOCK - changes.size() - removed.size(); i++) {
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
    System.out.printf("  block commit (%d changes) with %,d stored: median %.2f ms, p90 %.2f ms, max %.2f ms "
        + "(%d blocks)%n", CHANGES_PER_BLOCK, size, ms[BLOCKS / 2], ms[BLOCKS * 9 / 10], ms[BLOCKS - 1], BLOCKS);
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

  /** Runs one statement on a connection of its own (the benchmarks' schemas are made and dropped so). */
  static void execute(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** Deletes a benchmark's temporary directory and everything in it. */
  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }

  /**
   * The smallest pool a host could hand the store: {@code close()} on a lent connection rolls back
   * what is open and keeps the connection for the next {@code getConnection()}; {@code abort()}
   * discards it. Without it every {@code find} would open a new PostgreSQL connection.
   */
  static final class Pool implements DataSource, AutoCloseable {
    private final DataSource physical;
    private final Deque<Connection> idle = new ArrayDeque<>();

    Pool(DataSource physical) {
      this.physical = physical;
    }

    @Override
    public Connection getConnection() throws SQLException {
      Connection c = null;
      synchronized (this) {
        while (c == null && !idle.isEmpty()) {
          Connection next = idle.pop();
          if (!next.isClosed()) {
            c = next;
          }
        }
      }
      return lend(c != null ? c : physical.getConnection());
    }

    private Connection lend(Connection c) {
      InvocationHandler h = new InvocationHandler() {
        private boolean returned;

        @Override
        public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
          switch (m.getName()) {
            case "close" -> {
              if (!returned) {
                returned = true;
                giveBack(c);
              }
              return null;
            }
            case "abort" -> {
              returned = true;
              c.close();
              return null;
            }
            case "isClosed" -> {
              return returned || c.isClosed();
            }
            default -> {
              if (returned) {
                throw new SQLException("connection already handed back to the pool");
              }
              try {
                return m.invoke(c, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            }
          }
        }
      };
      return (Connection) Proxy.newProxyInstance(Pool.class.getClassLoader(), new Class<?>[] {Connection.class}, h);
    }

    private void giveBack(Connection c) throws SQLException {
      if (c.isClosed()) {
        return;
      }
      if (!c.getAutoCommit()) {
        c.rollback();
        c.setAutoCommit(true);
      }
      synchronized (this) {
        idle.push(c);
      }
    }

    @Override
    public synchronized void close() throws SQLException {
      while (!idle.isEmpty()) {
        idle.pop().close();
      }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
      throw new SQLFeatureNotSupportedException("the benchmark's pool has one user");
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }
  }
}
