package io.responder.store.jdbc;

/**
 * The database is owned by another {@link JdbcTrackerStore}: only one Responder may act on a
 * database at a time.
 *
 * <p>Thrown by {@link JdbcTrackerStore#open} while another store (in this process or another one)
 * holds the database; the message names the holder when the database can tell (a process id, a
 * PostgreSQL backend). Opening succeeds again once that store is closed or its process has died,
 * so a host may retry. Thrown by {@link JdbcTrackerStore#commit} when this store lost the database
 * to another one (its PostgreSQL session was cut and another store took over): nothing was applied,
 * and this store cannot be used again. Instances are immutable once thrown.
 *
 * @since 0.1.0
 */
public final class StoreLockedException extends JdbcStoreException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message which database is held, and by whom when known
   */
  public StoreLockedException(String message) {
    super(message);
  }
}
