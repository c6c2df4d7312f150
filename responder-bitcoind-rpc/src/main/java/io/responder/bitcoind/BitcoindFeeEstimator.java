package io.responder.bitcoind;

import io.responder.core.FeeEstimate;
import io.responder.core.FeeEstimator;
import io.responder.core.FeeEstimatorException;
import io.responder.core.FeeRate;
import io.responder.core.InvalidInputException;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link FeeEstimator} over bitcoind: {@code estimatesmartfee} for estimates, floored by the
 * minimum that {@code getmempoolinfo} gives. Obtain one from {@link BitcoindRpc#feeEstimator()}.
 *
 * <h2>Requirements</h2>
 * {@link #estimate(int)} asks {@code estimatesmartfee [target, "conservative"]}, with targets above
 * {@value #MAX_TARGET} (bitcoind's largest) asked as {@value #MAX_TARGET}: a longer wait is not
 * estimated, and the shorter target's feerate is at least as high. The conservative mode is used
 * because a penalty that misses its deadline loses the channel, while one that pays a little more
 * than needed loses little. bitcoind answers a target of 1 as 2, and a target longer than half the
 * blocks of fee history it has as the longest it can; {@link FeeEstimate#blocks()} is the target it
 * answered. An answer without a feerate (HTTP 200 with {@code errors}, such as "Insufficient data or
 * no feerate found" on a fresh regtest chain) is an empty estimate, and then the mempool is not
 * asked. An estimate is raised to {@link #minimum()} when below it.
 *
 * <p>{@link #minimum()} is the higher of {@code getmempoolinfo}'s {@code mempoolminfee} (which
 * rises when a full mempool evicts, and bitcoind already floors by the relay minimum) and
 * {@code minrelaytxfee}.
 *
 * <h2>Threading</h2>
 * Instances are thread-safe. A call makes one or two requests, each bounded by the configured request
 * timeout. They never call back into the Responder.
 *
 * <h2>Errors</h2>
 * Failures are {@link FeeEstimatorException}s with the {@link BitcoindException} as cause, transient
 * exactly when it is: transport, authentication and warm-up are transient; RPC errors (such as -8
 * for a target the node refuses) and unreadable answers are not.
 *
 * @since 0.1.0
 */
public final class BitcoindFeeEstimator implements FeeEstimator {
  private static final Logger log = LoggerFactory.getLogger(BitcoindFeeEstimator.class);

  /** bitcoind's largest confirmation target (its fee estimator's longest horizon, about a week). */
  public static final int MAX_TARGET = 1008;

  /** The estimate mode asked for; see the class comment for why. */
  private static final String MODE = "conservative";

  private final JsonRpcClient rpc;

  BitcoindFeeEstimator(JsonRpcClient rpc) {
    this.rpc = Objects.requireNonNull(rpc, "rpc");
  }

  /**
   * Estimates with {@code estimatesmartfee}, floored by {@link #minimum()}.
   *
   * @param blocks the confirmation target, at least 1
   * @return the estimate, or empty when bitcoind has none
   * @throws InvalidInputException if {@code blocks} is below 1
   * @throws FeeEstimatorException if bitcoind could not be asked
   */
  @Override
  public Optional<FeeEstimate> estimate(int blocks) {
    if (blocks < 1) {
      throw new InvalidInputException("blocks", "must be at least 1, got " + blocks);
    }
    int target = Math.min(blocks, MAX_TARGET);
    FeeAnswers.SmartFee answer;
    try {
      answer = rpc.call("estimatesmartfee", g -> {
        g.writeNumber(target);
        g.writeString(MODE);
      }, FeeAnswers.SMART_FEE);
    } catch (BitcoindException e) {
      throw BitcoindErrors.feeEstimatorFailure(e);
    }
    if (answer.feeRate() == null) {
      log.atDebug().addKeyValue("target", target).addKeyValue("errors", answer.errors()).log("bitcoind has no fee estimate");
      return Optional.empty();
    }
    FeeEstimate estimate = new FeeEstimate(answer.feeRate(), answer.blocks()).atLeast(minimum());
    log.atDebug().addKeyValue("target", target).addKeyValue("estimate", estimate).log("fee estimate");
    return Optional.of(estimate);
  }

  /**
   * Reads the node's minimum from {@code getmempoolinfo}.
   *
   * @return the higher of {@code mempoolminfee} and {@code minrelaytxfee}
   * @throws FeeEstimatorException if bitcoind could not be asked
   */
  @Override
  public FeeRate minimum() {
    try {
      return rpc.call("getmempoolinfo", JsonRpcClient.Params.NONE, FeeAnswers.MEMPOOL_FLOOR).minimum();
    } catch (BitcoindException e) {
      throw BitcoindErrors.feeEstimatorFailure(e);
    }
  }

  @Override
  public String toString() {
    return "BitcoindFeeEstimator{" + rpc.uri() + "}";
  }
}
