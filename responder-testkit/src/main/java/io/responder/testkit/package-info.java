/**
 * Test kit for hosts of the Responder, to add with test scope: {@link io.responder.testkit.FakeChain}
 * (a deterministic node that is both Carrier and BlockSource), {@link io.responder.testkit.Appointment}
 * and {@link io.responder.testkit.Transactions} (real, parseable transactions),
 * {@link io.responder.testkit.RecordingListener}, and {@link io.responder.testkit.TrackerStoreContract},
 * the suite every {@link io.responder.core.TrackerStore} implementation must pass.
 */
package io.responder.testkit;
