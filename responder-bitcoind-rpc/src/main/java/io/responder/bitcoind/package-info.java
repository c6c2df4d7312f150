/**
 * The Responder's ports over bitcoind's HTTP JSON-RPC interface.
 *
 * <p>{@link io.responder.bitcoind.BitcoindRpc#create BitcoindRpc.create(config)} gives a
 * {@link io.responder.bitcoind.BitcoindCarrier} and a {@link io.responder.bitcoind.BitcoindBlockSource}
 * to pass to {@code Responder.builder()}, and a {@link io.responder.bitcoind.BitcoindFeeEstimator}
 * for fee escalation; a host without its own chain loop adds a
 * {@link io.responder.bitcoind.BlockPoller}. The configuration
 * ({@link io.responder.bitcoind.BitcoindConfig}) takes a user and password or bitcoind's cookie file
 * (read again when bitcoind rotates it), timeouts, a response size cap and the fee cap for
 * {@code sendrawtransaction}, which defaults to none.
 *
 * <p>Every node fault is mapped to the core's typed outcomes in one place, with the typed
 * {@link io.responder.bitcoind.BitcoindException}s as causes where the port has room for one.
 * Nothing here needs {@code -txindex}. Answers are parsed with Jackson's streaming parser as they
 * arrive. Only the types documented here are public; the rest of the package is implementation.
 *
 * <p>Nullness: the package is {@code @NullMarked} (JSpecify): a parameter, return value or element
 * is never null unless it is marked {@code @Nullable}.
 */
@NullMarked
package io.responder.bitcoind;

import org.jspecify.annotations.NullMarked;
