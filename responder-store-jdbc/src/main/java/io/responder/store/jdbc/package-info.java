/**
 * A durable {@link io.responder.core.TrackerStore} over JDBC:
 * {@link io.responder.store.jdbc.JdbcTrackerStore}, for SQLite (one file, the embedded default) and
 * PostgreSQL.
 *
 * <p>The published API is {@link io.responder.store.jdbc.JdbcTrackerStore},
 * {@link io.responder.store.jdbc.JdbcStoreException} and
 * {@link io.responder.store.jdbc.StoreLockedException}; every other class of this package is
 * package-private. The JDBC driver is the host's choice and is not a dependency of this module: put
 * {@code org.xerial:sqlite-jdbc} or {@code org.postgresql:postgresql} on the runtime class path.
 *
 * <p>Nullness: the package is {@code @NullMarked} (JSpecify): a parameter, return value or element
 * is never null unless it is marked {@code @Nullable}.
 */
@NullMarked
package io.responder.store.jdbc;

import org.jspecify.annotations.NullMarked;
