/**
 * The Responder of a Lightning watchtower and its ports.
 *
 * <p>A host hands breaches to {@link io.responder.core.Responder#handleBreach} and drives
 * {@link io.responder.core.Responder#onBlock} from its own chain loop; the Responder gets each
 * penalty mined, follows its confirmations, rebroadcasts it when it misses blocks, survives
 * reorganisations and restarts, and forgets it at the irrevocable depth. It talks to the world only
 * through three small ports the host supplies: {@link io.responder.core.Carrier},
 * {@link io.responder.core.BlockSource} and {@link io.responder.core.TrackerStore}. It starts no
 * threads and reads no clock: time is block height.
 *
 * <p>Nullness: the package is {@code @NullMarked} (JSpecify): a parameter, return value or element
 * is never null unless it is marked {@code @Nullable}.
 */
@NullMarked
package io.responder.core;

import org.jspecify.annotations.NullMarked;
