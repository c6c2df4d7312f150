/**
 * Test kit for hosts of the Responder, to add with test scope: {@link io.responder.testkit.FakeChain}
 * (a deterministic node that is both Carrier and BlockSource, with an optional fee market: relay and
 * mempool minimums, replacement, packages, blocks filled by feerate),
 * {@link io.responder.testkit.Appointment} and {@link io.responder.testkit.Transactions} (real,
 * parseable transactions, fee-aware ones at chosen feerates),
 * {@link io.responder.testkit.RecordingListener}, {@link io.responder.testkit.TrackerStoreContract},
 * the suite every {@link io.responder.core.TrackerStore} implementation must pass, and
 * {@link io.responder.testkit.ResponderInvariants}, a JUnit 5 extension checking invariants after every
 * test. Randomised chain histories against a reference model live in {@code io.responder.testkit.sim}.
 *
 * <p>Nullness: the package is {@code @NullMarked} (JSpecify): a parameter, return value or element
 * is never null unless it is marked {@code @Nullable}.
 */
@NullMarked
package io.responder.testkit;

import org.jspecify.annotations.NullMarked;
