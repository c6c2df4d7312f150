/**
 * The Responder, its immutable value types and the ports a host implements or plugs in: {@link
 * io.responder.core.Carrier}, {@link io.responder.core.BlockSource} and {@link
 * io.responder.core.TrackerStore}. Depends on slf4j-api only (and on the JSpecify nullness
 * annotations at compile time).
 *
 * <p>Only {@code io.responder.core} is API. {@code io.responder.core.internal} holds implementation
 * details; it is exported to the project's own test kit alone, which builds and parses transactions
 * with it, and to no host.
 *
 * @since 0.1.0
 */
// The test kit is built after the core, so the core's compiler cannot see it yet.
@SuppressWarnings("module")
module io.responder.core {
  requires org.slf4j;
  requires static transitive org.jspecify;

  exports io.responder.core;
  exports io.responder.core.internal to io.responder.testkit;
}
