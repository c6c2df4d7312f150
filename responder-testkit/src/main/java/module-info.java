/**
 * Test kit for hosts of the Responder: a deterministic fake chain that is both carrier and block
 * source, transaction builders, the {@link io.responder.core.TrackerStore} contract suite, and a
 * randomised simulation against a reference model. Meant for test scope.
 *
 * @since 0.1.0
 */
module io.responder.testkit {
  requires transitive io.responder.core;
  requires transitive org.junit.jupiter.api;
  requires static transitive org.jspecify;

  exports io.responder.testkit;
  exports io.responder.testkit.sim;
}
