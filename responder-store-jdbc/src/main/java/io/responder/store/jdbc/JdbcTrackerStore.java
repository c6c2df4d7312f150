package io.responder.store.jdbc;

import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.InvalidInputException;
import io.responder.core.StoreUpdate;
import io.responder.core.TrackerStatus;
import io.responder.core.TrackerStore;
import io.responder.core.TransactionTracker;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable {@link TrackerStore} in a SQL database reached through the host's {@link DataSource}:
 * SQLite (a single file; the embedded default) or PostgreSQL. The dialect is recognised from the
 * connection.
 *
 * <pre>{@code
 * SQLiteDataSource sqlite = new SQLiteDataSource(); // org.xerial:sqlite-jdbc
 * sqlite.setUrl("jdbc:sqlite:" + file);              // e.g. /var/lib/watchtower/responder.db
 * try (JdbcTrackerStore store = JdbcTrackerStore.open(sqlite)) {
 *   Responder responder = Responder.builder().store(store).carrier(carrier).blockSource(source).start();
 *   // hand breaches to responder.handleBreach, blocks to responder.onBlock, until shutdown
 * }
 * }</pre>
 * (compiled and run by this module's {@code UsageExampleTest}). For PostgreSQL, hand it the
 * host's pooled data source instead.
 *
 * <h2>Requirements</h2>
 * <ul>
 *   <li>{@link #open} creates the schema in an empty database and upgrades an older one, from
 *       versioned SQL files shipped in this jar, recording the version in
 *       {@code responder_schema_version}. A database written by a newer version of this library is
 *       refused with a {@link JdbcStoreException}, never downgraded.
 *   <li>Only one store may use a database at a time: {@link #open} throws
 *       {@link StoreLockedException} while another store, in this process or another, has it open.
 *       SQLite: an exclusive OS lock on the file {@code <database file>.responder-lock} beside the
 *       database. PostgreSQL: a session-level advisory lock keyed by database and schema, held by
 *       the store's writer connection. Both are dropped by the operating system or the server when
 *       the holding process dies, so a successor takes over without waiting for a lease. Every
 *       commit also checks, in its own transaction, that this store is still the database's owner.
 *   <li>Each {@link #commit(StoreUpdate)} is one database transaction (all of the update or none of
 *       it, also across crashes), durable when it returns: SQLite runs in WAL mode with
 *       {@code synchronous=FULL}; PostgreSQL's {@code synchronous_commit} is raised to {@code on} for
 *       the store's session if the host turned it off. Rows are written with batched statements, so
 *       the number of round trips does not grow with the number of trackers changed. An update that
 *       adds a uuid already stored is refused and rolled back whole.
 *   <li>{@link #loadTrackers} streams rows, fetching a few hundred at a time, and decodes one
 *       tracker at a time. {@link #loadPage} reads one page in uuid order through the primary key's
 *       index, however many trackers are stored. A corrupt row makes it throw an {@link InvalidInputException} naming the
 *       tracker's uuid and the column; no row is silently skipped.
 * </ul>
 *
 * <h2>Connections</h2>
 * The host owns the {@link DataSource} and its pool. The store holds one connection (the writer,
 * which also holds the PostgreSQL lock) from {@link #open} to {@link #close}, and borrows another
 * for each read, so a pool must allow at least two connections. For PostgreSQL the tables live in the
 * connection's current schema. If the writer connection breaks (a server restart), the commit in
 * flight fails and the next one borrows a new connection, takes the lock again and checks that no
 * other store took the database over in between. The owner lock is a PostgreSQL session lock, so a
 * proxy that pools transactions rather than sessions (PgBouncer in transaction mode) cannot carry
 * the store's connections; SQLite's lock file assumes a local file system, as SQLite's WAL does.
 *
 * <h2>Threading</h2>
 * Instances are thread-safe. Commits are serialised by a lock of the store; {@link #find},
 * {@link #loadTip}, {@link #loadTrackers} and {@link #loadPage} run on their own connections,
 * concurrently with a commit, and see the database as of a committed state, never half an update.
 *
 * <h2>Errors</h2>
 * Database failures throw {@link JdbcStoreException}. A failed commit was rolled back, changed
 * nothing, and may be retried: after any failed commit the writer's transaction is rolled back, and
 * if that fails (SQLite rolls a transaction back on its own when the disk is full, say) the next
 * commit replaces the writer connection, so commits succeed again as soon as the cause is gone,
 * without a restart. Messages name the database, the operation and the trackers involved, with the
 * driver's SQLState and vendor code; the cause is a copy of the driver's exception in standard
 * {@code java.sql} types (same SQLState, vendor code and stack trace) whose messages are redacted,
 * because drivers quote the statements and rows they were sending: no exception or log line of the
 * store carries a raw transaction or a tracker's body. Using a closed store throws
 * {@link IllegalStateException}.
 *
 * @since 0.1.0
 */
public final class JdbcTrackerStore implements TrackerStore, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JdbcTrackerStore.class);

  /** Rows fetched per round trip by {@link #loadTrackers}: a few hundred kilobytes of trackers. */
  static final int FETCH_SIZE = 256;
  /** Seconds a broken-connection check may take after a failed commit. */
  private static final int VALIDATION_TIMEOUT_SECONDS = 5;
  /** Trackers named in a failed commit's message; the rest are counted. */
  private static final int TRACKERS_NAMED = 5;

  private static final String STATE = "responder_state";
  private static final String SELECT_TIP = "SELECT tip_height, tip_hash FROM " + STATE + " WHERE id = 1";
  private static final String SELECT_OWNER = "SELECT owner FROM " + STATE + " WHERE id = 1";
  private static final String TAKE_OWNERSHIP = "UPDATE " + STATE + " SET owner = ? WHERE id = 1";
  private static final String FENCE_AND_TIP = "UPDATE " + STATE
      + " SET tip_height = ?, tip_hash = ?, commit_count = commit_count + 1 WHERE id = 1 AND owner = ?";
  private static final String FENCE = "UPDATE " + STATE
      + " SET commit_count = commit_count + 1 WHERE id = 1 AND owner = ?";

  private final DataSource dataSource;
  private final Dialect dialect;
  private final String database;
  private final Dialect.OwnerLock ownerLock;
  /** This store's token in responder_state.owner; a commit that does not find it is refused. */
  private final String owner;
  private final ReentrantLock writeLock = new ReentrantLock();

  // Guarded by writeLock.
  private @Nullable Connection writer;
  private boolean writerLost;
  private boolean lost;

  private volatile boolean closed;

  private JdbcTrackerStore(DataSource dataSource, Dialect dialect, String database, Dialect.OwnerLock ownerLock,
      String owner, Connection writer) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.database = database;
    this.ownerLock = ownerLock;
    this.owner = owner;
    this.writer = writer;
  }

  /**
   * Opens the store over a database: takes the single-owner lock, creates or upgrades the schema,
   * and records this store as the owner.
   *
   * @param dataSource the host's data source for a SQLite file or a PostgreSQL database
   * @return the open store; close it to release the database
   * @throws StoreLockedException if another store has the database open
   * @throws JdbcStoreException if the database cannot be reached, is not supported, or was written by
   *     a newer version of this library
   */
  public static JdbcTrackerStore open(DataSource dataSource) {
    Objects.requireNonNull(dataSource, "dataSource");
    Connection c;
    try {
      c = dataSource.getConnection();
    } catch (SQLException e) {
      throw SqlErrors.failure("cannot connect to the store's database", e);
    }
    String database = "the store's database";
    Dialect.OwnerLock ownerLock = null;
    try {
      Dialect dialect = Dialect.of(c);
      c.setAutoCommit(true);
      database = dialect.describe(c);
      dialect.configureSession(c, true);
      ownerLock = dialect.lock(c, database);
      dialect.configureDatabase(c, database);
      c.setAutoCommit(false);
      int before = SchemaMigrator.migrate(c, dialect, database);
      String owner = UUID.randomUUID().toString();
      try (PreparedStatement ps = c.prepareStatement(TAKE_OWNERSHIP)) {
        ps.setString(1, owner);
        if (ps.executeUpdate() != 1) {
          throw new JdbcStoreException(database + ": the " + STATE + " row is missing; the schema was damaged");
        }
      }
      c.commit();
      log.atInfo().addKeyValue("database", database).addKeyValue("schemaVersion", SchemaMigrator.LATEST_VERSION)
          .addKeyValue("previousSchemaVersion", before).log("tracker store opened");
      return new JdbcTrackerStore(dataSource, dialect, database, ownerLock, owner, c);
    } catch (SQLException | RuntimeException e) {
      rollbackQuietly(c, e);
      if (ownerLock != null) {
        ownerLock.release(c);
      }
      closeQuietly(c, e);
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw SqlErrors.failure(database + ": cannot open the store", e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  @Override
  public Optional<BlockRef> loadTip() {
    return read("load the tip", c -> {
      try (PreparedStatement ps = c.prepareStatement(SELECT_TIP); ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new JdbcStoreException(database + ": the " + STATE + " row is missing");
        }
        Object height = rs.getObject(1);
        String hash = rs.getString(2);
        if (height == null && hash == null) {
          return Optional.<BlockRef>empty();
        }
        if (!(height instanceof Number h) || hash == null) {
          throw new InvalidInputException(STATE + ".tip_height", "the stored tip is corrupt: height "
              + TrackerRows.shown(String.valueOf(height)) + ", hash " + TrackerRows.shown(hash));
        }
        return Optional.of(new BlockRef(BlockHash.fromHex(STATE + ".tip_hash", hash), Math.toIntExact(h.longValue())));
      }
    });
  }

  @Override
  public void loadTrackers(Consumer<TransactionTracker> sink) {
    Objects.requireNonNull(sink, "sink");
    read("load the trackers", c -> {
      // In a transaction: PostgreSQL reads in fetches through a cursor only inside one.
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(
          TrackerRows.SELECT_ALL, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
        ps.setFetchSize(FETCH_SIZE);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            sink.accept(TrackerRows.read(rs));
          }
        }
      }
      return null;
    });
  }

  @Override
  public List<TransactionTracker> loadPage(@Nullable UUID after, int limit) {
    if (limit < 1) {
      throw new InvalidInputException("limit", "must be positive, got " + limit);
    }
    return read("load a page of trackers", c -> {
      try (PreparedStatement ps = c.prepareStatement(after == null ? TrackerRows.SELECT_FIRST_PAGE : TrackerRows.SELECT_PAGE_AFTER)) {
        int limitIndex = 1;
        if (after != null) {
          dialect.bindUuid(ps, 1, after);
          limitIndex = 2;
        }
        ps.setInt(limitIndex, limit);
        ps.setFetchSize(Math.min(limit, FETCH_SIZE));
        List<TransactionTracker> page = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            page.add(TrackerRows.read(rs));
          }
        }
        return page;
      }
    });
  }

  @Override
  public Optional<TransactionTracker> find(UUID uuid) {
    Objects.requireNonNull(uuid, "uuid");
    return read("find tracker " + uuid, c -> {
      try (PreparedStatement ps = c.prepareStatement(TrackerRows.SELECT_ONE)) {
        dialect.bindUuid(ps, 1, uuid);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(TrackerRows.read(rs)) : Optional.<TransactionTracker>empty();
        }
      }
    });
  }

  /**
   * 10,000, the interface's default, said here because it is chosen: each {@link #findAll} takes a
   * connection from the {@code DataSource}, which without a pool means opening and authenticating
   * one (about 20 ms to a local PostgreSQL), so a storm of a million reads a hundred times rather
   * than a thousand. Batches of 1,000 cost a storm of 100,000 about 2 s more over an unpooled
   * PostgreSQL (issue 16, BENCHMARKS.md "Fourteenth round").
   */
  @Override
  public int findAllBatchSize() {
    return 10_000;
  }

  /**
   * One connection and one snapshot for the whole list, a query per {@value TrackerRows#SELECT_SOME_MAX}
   * uuids, instead of a connection and a query each: a rebroadcast storm reads its raw penalties
   * this way.
   */
  @Override
  public List<@Nullable TransactionTracker> findAll(List<UUID> uuids) {
    Objects.requireNonNull(uuids, "uuids");
    List<UUID> asked = List.copyOf(uuids); // null elements refused here, before any read
    if (asked.isEmpty()) {
      return new ArrayList<>();
    }
    Map<UUID, TransactionTracker> found = read("find " + asked.size() + " trackers", c -> {
      Map<UUID, TransactionTracker> rows = new HashMap<>(asked.size() * 4 / 3 + 1);
      for (int from = 0; from < asked.size(); from += TrackerRows.SELECT_SOME_MAX) {
        List<UUID> chunk = asked.subList(from, Math.min(asked.size(), from + TrackerRows.SELECT_SOME_MAX));
        try (PreparedStatement ps = c.prepareStatement(TrackerRows.selectSome(chunk.size()))) {
          for (int i = 0; i < chunk.size(); i++) {
            dialect.bindUuid(ps, i + 1, chunk.get(i));
          }
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              TransactionTracker t = TrackerRows.read(rs);
              rows.put(t.uuid(), t);
            }
          }
        }
      }
      return rows;
    });
    List<@Nullable TransactionTracker> out = new ArrayList<>(asked.size());
    for (UUID u : asked) {
      out.add(found.get(u));
    }
    return out;
  }

  @FunctionalInterface
  private interface Read<T extends @Nullable Object> {
    T run(Connection c) throws SQLException;
  }

  /** Runs a read on a borrowed connection, handed back as it was borrowed. */
  private <T extends @Nullable Object> T read(String what, Read<T> body) {
    ensureOpen();
    Connection c;
    try {
      c = dataSource.getConnection();
    } catch (SQLException e) {
      throw SqlErrors.failure(database + ": cannot " + what + ": no connection", e);
    }
    Throwable failure = null;
    try {
      boolean autoCommit = c.getAutoCommit();
      dialect.configureSession(c, false);
      try {
        return body.run(c);
      } finally {
        if (!c.getAutoCommit()) {
          c.rollback(); // reads only: end the snapshot
        }
        c.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      failure = e;
      throw SqlErrors.failure(database + ": cannot " + what, e);
    } catch (RuntimeException | Error e) {
      failure = e;
      throw e;
    } finally {
      closeQuietly(c, failure);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Commit

  @Override
  public void commit(StoreUpdate update) {
    Objects.requireNonNull(update, "update");
    writeLock.lock();
    try {
      ensureOpen();
      if (lost) {
        throw new StoreLockedException(database + ": this store lost the database to another store; "
            + "nothing was committed. Close it; the Responder must be restarted over a store that owns the database");
      }
      Connection c = writer();
      Progress progress = new Progress();
      try {
        apply(c, update, progress);
        progress.step = "committing the transaction of an update " + describe(update);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        resetWriter(c, e);
        if (e instanceof StoreLockedException s) {
          lost = true;
          throw s;
        }
        throw refused(c, update, progress, e);
      }
    } finally {
      writeLock.unlock();
    }
  }

  /** Which part of a commit was running when it failed, for the exception. */
  private static final class Progress {
    String step = "checking that this store still owns the database";
  }

  /** The update's statements, in the writer's open transaction. */
  private void apply(Connection c, StoreUpdate update, Progress progress) throws SQLException {
    // The ownership check first: a store that lost the database writes nothing.
    Optional<BlockRef> tip = update.tip();
    if (tip.isPresent()) {
      progress.step = "checking that this store still owns the database and recording tip " + tip.get().height();
    }
    try (PreparedStatement ps = c.prepareStatement(tip.isPresent() ? FENCE_AND_TIP : FENCE)) {
      int i = 1;
      if (tip.isPresent()) {
        ps.setInt(i++, tip.get().height());
        ps.setString(i++, tip.get().hash().toHex());
      }
      ps.setString(i, owner);
      if (ps.executeUpdate() != 1) {
        throw new StoreLockedException(database + ": another store has taken the database over (its owner "
            + "is no longer this store); nothing was committed");
      }
    }
    if (!update.added().isEmpty()) {
      progress.step = "adding " + trackers(update.added().stream().map(TransactionTracker::uuid).toList());
      try (PreparedStatement ps = c.prepareStatement(TrackerRows.INSERT)) {
        for (TransactionTracker t : update.added()) {
          TrackerRows.bindInsert(ps, dialect, t);
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }
    if (!update.statusChanges().isEmpty()) {
      progress.step = "changing the status of " + trackers(update.statusChanges().keySet());
      try (PreparedStatement ps = c.prepareStatement(TrackerRows.UPDATE_STATUS)) {
        for (Map.Entry<UUID, TrackerStatus> e : update.statusChanges().entrySet()) {
          TrackerRows.bindStatusUpdate(ps, dialect, e.getKey(), e.getValue());
          ps.addBatch();
        }
        ps.executeBatch(); // a uuid the store does not hold updates no row: ignored, as the contract asks
      }
    }
    if (!update.removed().isEmpty()) {
      progress.step = "removing " + trackers(update.removed());
      try (PreparedStatement ps = c.prepareStatement(TrackerRows.DELETE)) {
        for (UUID u : update.removed()) {
          dialect.bindUuid(ps, 1, u);
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }
  }

  /** The writer connection, replaced (and the lock taken again) if the last one broke. */
  private Connection writer() {
    if (!writerLost) {
      return writer;
    }
    // Abort rather than close: a pool then discards the session, and with it a PostgreSQL lock it
    // may still hold, instead of lending it out again.
    abortQuietly(writer);
    writer = null;
    Connection c;
    try {
      c = dataSource.getConnection();
    } catch (SQLException e) {
      throw SqlErrors.failure(database + ": cannot reconnect the store's writer; nothing was committed", e);
    }
    try {
      c.setAutoCommit(true);
      dialect.configureSession(c, true);
      ownerLock.reacquire(c);
      String current;
      try (PreparedStatement ps = c.prepareStatement(SELECT_OWNER); ResultSet rs = ps.executeQuery()) {
        current = rs.next() ? rs.getString(1) : null;
      }
      if (!owner.equals(current)) {
        ownerLock.release(c);
        lost = true;
        throw new StoreLockedException(database + ": another store owned the database while this store's "
            + "connection was down; nothing was committed, and this store cannot be used again");
      }
      c.setAutoCommit(false);
    } catch (SQLException | RuntimeException e) {
      closeQuietly(c, e);
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw SqlErrors.failure(database + ": cannot reconnect the store's writer; nothing was committed", e);
    }
    writer = c;
    writerLost = false;
    log.atInfo().addKeyValue("database", database).log("store writer reconnected; ownership confirmed");
    return c;
  }

  /**
   * After a failed commit: rolls the writer's transaction back so that the next commit starts a
   * fresh one on the same connection, or, when that cannot be confirmed, has the next commit replace
   * the connection. A driver can believe a transaction is open that the database already rolled
   * back on its own (SQLite does so on SQLITE_FULL): its rollback then fails, and a connection
   * reused in that state would run the next commit's statements outside any transaction, each
   * applied on its own, while the commit itself fails with "no transaction is active".
   */
  private void resetWriter(Connection c, Exception failure) {
    try {
      c.rollback();
      if (c.getAutoCommit()) {
        c.setAutoCommit(false);
      }
      if (!c.isValid(VALIDATION_TIMEOUT_SECONDS)) {
        writerLost = true;
      }
    } catch (SQLException | RuntimeException e) {
      failure.addSuppressed(SqlErrors.scrubbed(e)); // it may leave the library as it is
      writerLost = true;
    }
    if (writerLost) {
      log.atWarn().addKeyValue("database", database).addKeyValue("reason", SqlErrors.reason(failure))
          .log("store writer connection lost or left in an unknown state; the next commit replaces it");
    }
  }

  /**
   * The exception for a failed commit: what the commit was doing and which trackers, or the added
   * tracker that was already stored if that was why, with the driver's SQLState and vendor code.
   */
  private RuntimeException refused(Connection c, StoreUpdate update, Progress progress, Exception e) {
    String why = progress.step + " failed";
    if (!writerLost && !update.added().isEmpty()) {
      UUID duplicate = firstStored(c, update);
      if (duplicate != null) {
        why = "tracker " + duplicate + " is already stored; " + why;
      }
    }
    return SqlErrors.failure(database + ": commit refused, nothing was committed: " + why, e);
  }

  /** Names the trackers an update touches, for a message. */
  private static String describe(StoreUpdate update) {
    StringBuilder out = new StringBuilder();
    if (!update.added().isEmpty()) {
      out.append("adding ").append(trackers(update.added().stream().map(TransactionTracker::uuid).toList()));
    }
    if (!update.statusChanges().isEmpty()) {
      out.append(out.length() == 0 ? "" : ", ").append("changing the status of ")
          .append(trackers(update.statusChanges().keySet()));
    }
    if (!update.removed().isEmpty()) {
      out.append(out.length() == 0 ? "" : ", ").append("removing ").append(trackers(update.removed()));
    }
    update.tip().ifPresent(t -> out.append(out.length() == 0 ? "" : ", ").append("recording tip ").append(t.height()));
    return out.length() == 0 ? "changing nothing" : out.toString();
  }

  /** "tracker u", or "trackers u1, u2, ... (n in all)" naming the first few. */
  private static String trackers(Collection<UUID> uuids) {
    if (uuids.size() == 1) {
      return "tracker " + uuids.iterator().next();
    }
    StringBuilder out = new StringBuilder("trackers ");
    int named = 0;
    for (UUID u : uuids) {
      if (named == TRACKERS_NAMED) {
        out.append(", ...");
        break;
      }
      out.append(named == 0 ? "" : ", ").append(u);
      named++;
    }
    return out.append(" (").append(uuids.size()).append(" in all)").toString();
  }

  private @Nullable UUID firstStored(Connection c, StoreUpdate update) {
    try (PreparedStatement ps = c.prepareStatement(TrackerRows.EXISTS)) {
      try {
        for (TransactionTracker t : update.added()) {
          dialect.bindUuid(ps, 1, t.uuid());
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
              return t.uuid();
            }
          }
        }
        return null;
      } finally {
        c.rollback();
      }
    } catch (SQLException e) {
      return null; // only a better message was at stake
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Lifecycle

  /**
   * Releases the database: the lock and the writer connection. Idempotent; reads in flight on other
   * threads finish on their own connections.
   */
  @Override
  public void close() {
    writeLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      Connection c = writer;
      writer = null;
      if (c == null || writerLost) {
        ownerLock.release(null);
        abortQuietly(c);
      } else {
        try {
          rollbackQuietly(c, null);
          ownerLock.release(c);
        } finally {
          closeQuietly(c, null);
        }
      }
      log.atInfo().addKeyValue("database", database).log("tracker store closed");
    } finally {
      writeLock.unlock();
    }
  }

  /** Names the database, as in error messages. */
  @Override
  public String toString() {
    return "JdbcTrackerStore{" + database + (closed ? ", closed" : "") + "}";
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException(database + ": the store is closed");
    }
  }

  private static void rollbackQuietly(Connection c, Throwable failure) {
    if (c == null) {
      return;
    }
    try {
      if (!c.getAutoCommit()) {
        c.rollback();
      }
    } catch (SQLException e) {
      if (failure != null) {
        failure.addSuppressed(SqlErrors.scrubbed(e)); // it may leave the library as it is
      }
    }
  }

  private static void abortQuietly(Connection c) {
    if (c == null) {
      return;
    }
    try {
      c.abort(Runnable::run);
      if (!c.isClosed()) {
        c.close(); // sqlite-jdbc's abort does nothing: without this, each replaced writer leaked
      }
    } catch (SQLException | RuntimeException e) {
      closeQuietly(c, null);
    }
  }

  private static void closeQuietly(Connection c, Throwable failure) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (SQLException e) {
      if (failure != null) {
        failure.addSuppressed(SqlErrors.scrubbed(e)); // it may leave the library as it is
      } else {
        log.atDebug().addKeyValue("reason", SqlErrors.reason(e)).log("closing a connection failed");
      }
    }
  }
}
