/**
 * A durable {@link io.responder.core.TrackerStore} over JDBC (SQLite or PostgreSQL). The JDBC
 * driver is the host's choice: this module requires none, and reaches the database through the
 * host's {@link javax.sql.DataSource}.
 *
 * @since 0.1.0
 */
module io.responder.store.jdbc {
  requires transitive io.responder.core;
  requires transitive java.sql;
  requires org.slf4j;
  requires static transitive org.jspecify;

  exports io.responder.store.jdbc;
}
