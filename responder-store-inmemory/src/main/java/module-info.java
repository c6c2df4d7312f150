/**
 * A thread-safe in-memory {@link io.responder.core.TrackerStore} with the same atomic per-block
 * contract as a durable store.
 *
 * @since 0.1.0
 */
module io.responder.store.inmemory {
  requires transitive io.responder.core;
  requires static transitive org.jspecify;

  exports io.responder.store.inmemory;
}
