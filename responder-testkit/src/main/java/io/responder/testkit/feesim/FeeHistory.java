package io.responder.testkit.feesim;

import java.util.List;
import java.util.Objects;

/**
 * A generated fee-market history: the channels that will be breached, and what the world does, step
 * by step. The world's steps do not depend on what the Responder does, so the same history runs over
 * identical chains (the same heights, the same market at every height) whatever the Responder sends.
 * Rebuilt exactly from its seed by {@link FeeHistoryGenerator}. Instances are immutable and
 * thread-safe.
 *
 * @param seed the seed it was generated from
 * @param channels the channels, indexed by {@link Channel#index()}
 * @param childFeeCapSats the most a host's CPFP child may pay, per tracker (the Responder's cap)
 * @param steps what happens, in order
 */
public record FeeHistory(long seed, List<Channel> channels, long childFeeCapSats, List<FeeStep> steps) {
  /** Validates and copies the components. */
  public FeeHistory {
    channels = List.copyOf(channels);
    steps = List.copyOf(steps);
    for (int i = 0; i < channels.size(); i++) {
      if (channels.get(i).index() != i) {
        throw new IllegalArgumentException("channel " + i + " has index " + channels.get(i).index());
      }
    }
  }

  /**
   * One channel and what its breach offers the Responder.
   *
   * @param index its place in {@link FeeHistory#channels()}
   * @param salt the seed of its transactions (funding, dispute, penalty, ladder)
   * @param toSelfDelay blocks after the dispute confirms at which the cheater can sweep
   * @param disputeSatPerVbyte the revoked commitment's feerate (0 to 20: a low one must ride in a package)
   * @param penaltySatPerVbyte the penalty's own feerate
   * @param rungSatPerVbyte the fee ladder above the penalty, increasing (0 to 4 rungs)
   * @param rawDispute whether the watcher hands over the raw dispute
   * @param hostCpfp whether the host can spend the penalty's output, so its fee bumper makes children
   */
  public record Channel(int index, long salt, int toSelfDelay, double disputeSatPerVbyte, double penaltySatPerVbyte,
      List<Double> rungSatPerVbyte, boolean rawDispute, boolean hostCpfp) {
    /** Validates and copies the ladder. */
    public Channel {
      rungSatPerVbyte = List.copyOf(rungSatPerVbyte);
      if (toSelfDelay < 1) {
        throw new IllegalArgumentException("toSelfDelay must be at least 1, got " + toSelfDelay);
      }
    }

    /**
     * Returns the feerate of the highest means the ladder offers.
     *
     * @return the top rung's feerate, or the penalty's without a ladder
     */
    public double topSatPerVbyte() {
      return rungSatPerVbyte.isEmpty() ? penaltySatPerVbyte : rungSatPerVbyte.get(rungSatPerVbyte.size() - 1);
    }
  }

  /**
   * Returns the history as text, one step a line, for failure reports.
   *
   * @return the text
   */
  public String describe() {
    StringBuilder out = new StringBuilder("fee history of seed ").append(seed).append(", child fee cap ")
        .append(childFeeCapSats).append(" sat:");
    for (Channel c : channels) {
      out.append("\n  ").append(c);
    }
    for (int i = 0; i < steps.size(); i++) {
      out.append("\n  /* ").append(i).append(" */ ").append(steps.get(i));
    }
    return out.toString();
  }

  /** Returns a copy with other steps (for shrinking). */
  FeeHistory withSteps(List<FeeStep> newSteps) {
    return new FeeHistory(seed, channels, childFeeCapSats, Objects.requireNonNull(newSteps, "newSteps"));
  }
}
