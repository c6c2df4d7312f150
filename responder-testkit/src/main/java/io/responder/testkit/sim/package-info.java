/**
 * Randomised simulation of the Responder against a reference model: seeded generation of chain
 * histories with breaches, reorganisations, gaps, node faults, rejections and crashes
 * ({@link io.responder.testkit.sim.HistoryGenerator}), delivered in several styles
 * ({@link io.responder.testkit.sim.DeliveryStyle}), run and checked after every step
 * ({@link io.responder.testkit.sim.Simulation}, {@link io.responder.testkit.sim.ReferenceModel}), with a
 * failing history shrunk to a short one that still fails. Runs against any
 * {@link io.responder.core.TrackerStore}, so a store author can put their own store through it.
 *
 * <p>Nullness: the package is {@code @NullMarked} (JSpecify): a parameter, return value or element
 * is never null unless it is marked {@code @Nullable}.
 */
@NullMarked
package io.responder.testkit.sim;

import org.jspecify.annotations.NullMarked;
