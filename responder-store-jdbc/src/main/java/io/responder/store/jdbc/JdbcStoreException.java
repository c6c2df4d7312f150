package io.responder.store.jdbc;

/**
 * A database operation of a {@link JdbcTrackerStore} failed: the database refused a statement, the
 * connection broke, or the database holds something this store cannot use (an unsupported product,
 * a schema written by a newer version of this library).
 *
 * <p>When thrown by {@link JdbcTrackerStore#commit} the update was not applied (its transaction was
 * rolled back), so the caller can retry it. When thrown by the store, the cause, when present, is a
 * copy of the driver's {@link java.sql.SQLException} in standard {@code java.sql} types, with the
 * same SQLState, vendor code and stack trace but with raw transactions and tracker bodies redacted
 * from every message in it; neither this message nor the cause carries them. Instances are immutable
 * once thrown.
 *
 * @since 0.1.0
 */
public class JdbcStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what failed, naming the database and, where one is involved, the tracker
   */
  public JdbcStoreException(String message) {
    super(message);
  }

  /**
   * Creates an exception caused by another.
   *
   * @param message what failed, naming the database and, where one is involved, the tracker
   * @param cause the driver's exception
   */
  public JdbcStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
