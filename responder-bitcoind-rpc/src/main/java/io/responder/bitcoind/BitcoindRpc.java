package io.responder.bitcoind;

import java.util.Objects;

/**
 * The way in: one bitcoind JSON-RPC endpoint, with the {@link BitcoindCarrier}, the
 * {@link BitcoindBlockSource} and the {@link BitcoindFeeEstimator} that share its HTTP client (one
 * connection pool, one selector thread of the JDK's client).
 *
 * <p>Creating it contacts nothing: the node may be down, and a cookie file need not exist yet.
 * Nothing needs closing; the JDK's HTTP client releases its thread when it is no longer referenced.
 * The test {@code BitcoindEndToEndTest} shows the whole wiring with a Responder and a
 * {@link BlockPoller}.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class BitcoindRpc {
  private final BitcoindConfig config;
  private final BitcoindCarrier carrier;
  private final BitcoindBlockSource blockSource;
  private final BitcoindFeeEstimator feeEstimator;

  private BitcoindRpc(BitcoindConfig config) {
    this.config = config;
    JsonRpcClient client = new JsonRpcClient(config);
    this.carrier = new BitcoindCarrier(client, config.maxFeeRate());
    this.blockSource = new BitcoindBlockSource(client);
    this.feeEstimator = new BitcoindFeeEstimator(client);
  }

  /**
   * Prepares calls to the node that {@code config} describes.
   *
   * @param config where the node is and how to authenticate
   * @return the endpoint
   */
  public static BitcoindRpc create(BitcoindConfig config) {
    return new BitcoindRpc(Objects.requireNonNull(config, "config"));
  }

  /**
   * Returns the carrier over this endpoint.
   *
   * @return the carrier, the same instance on every call
   */
  public BitcoindCarrier carrier() {
    return carrier;
  }

  /**
   * Returns the block source over this endpoint.
   *
   * @return the block source, the same instance on every call
   */
  public BitcoindBlockSource blockSource() {
    return blockSource;
  }

  /**
   * Returns the fee estimator over this endpoint, for hosts that let the Responder escalate fees.
   *
   * @return the fee estimator, the same instance on every call
   */
  public BitcoindFeeEstimator feeEstimator() {
    return feeEstimator;
  }

  /**
   * Returns the configuration.
   *
   * @return the configuration
   */
  public BitcoindConfig config() {
    return config;
  }

  /** Names the endpoint, never the credentials. */
  @Override
  public String toString() {
    return "BitcoindRpc{" + config + "}";
  }
}
