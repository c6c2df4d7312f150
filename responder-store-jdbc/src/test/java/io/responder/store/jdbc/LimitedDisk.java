package io.responder.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.sqlite.SQLiteDataSource;

/**
 * A SQLite data source whose disk can fill up and be freed again: {@link #fill()} caps every
 * connection it lent, and every one it lends later, at the database's current size in pages
 * ({@code PRAGMA max_page_count}), so SQLite fails any write that needs a new page with
 * {@code SQLITE_FULL} exactly as on a full disk; {@link #free()} lifts the cap on every connection.
 * Connections are the driver's own (no wrapper), so the store sees SQLite as it is. Thread-safe.
 */
final class LimitedDisk extends PlainDataSource {
  /** Far above anything a test writes: what "space returned" means. */
  private static final long PLENTY_OF_PAGES = 1_000_000_000L;

  private final SQLiteDataSource sqlite = new SQLiteDataSource();
  private final List<Connection> lent = new ArrayList<>();
  private boolean full;

  LimitedDisk(String url) {
    sqlite.setUrl(url);
  }

  /** From now on no connection may grow the database. */
  synchronized void fill() throws SQLException {
    full = true;
    for (Connection c : live()) {
      cap(c);
    }
  }

  /** Space is back: every connection may grow the database again. */
  synchronized void free() throws SQLException {
    full = false;
    for (Connection c : live()) {
      setMaxPageCount(c, PLENTY_OF_PAGES);
    }
  }

  /** How many connections it lent are still open: what the store holds. */
  synchronized int openConnections() throws SQLException {
    return live().size();
  }

  @Override
  public synchronized Connection getConnection() throws SQLException {
    Connection c = sqlite.getConnection();
    if (full) {
      cap(c);
    }
    lent.add(c);
    return c;
  }

  private List<Connection> live() throws SQLException {
    List<Connection> open = new ArrayList<>();
    for (Connection c : lent) {
      if (!c.isClosed()) {
        open.add(c);
      }
    }
    lent.retainAll(open);
    return open;
  }

  private static void cap(Connection c) throws SQLException {
    long pages;
    try (Statement s = c.createStatement(); var rs = s.executeQuery("PRAGMA page_count")) {
      rs.next();
      pages = rs.getLong(1);
    }
    setMaxPageCount(c, pages);
  }

  private static void setMaxPageCount(Connection c, long pages) throws SQLException {
    try (Statement s = c.createStatement(); var rs = s.executeQuery("PRAGMA max_page_count = " + pages)) {
      rs.next();
    }
  }
}
