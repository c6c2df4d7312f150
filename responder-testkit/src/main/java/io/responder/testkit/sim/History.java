package io.responder.testkit.sim;

import io.responder.core.ResponderConfig;
import java.util.List;
import java.util.Objects;

/**
 * A generated chain history: the numbers the Responder runs with, how blocks are delivered, and the
 * steps. Rebuilt exactly from its seed by {@link HistoryGenerator}, or written out by hand (each
 * step prints as the Java that rebuilds it) to pin a shrunk failure in a regression test. Instances
 * are immutable and thread-safe.
 *
 * @param seed the seed it was generated from (informational once the steps are fixed)
 * @param params the Responder's numbers and the chain's starting height
 * @param style how the host delivers blocks
 * @param steps what happens, in order
 * @since 0.1.0
 */
public record History(long seed, Params params, DeliveryStyle style, List<Step> steps) {
  /**
   * The numbers of one history.
   *
   * @param irrevocableDepth confirmations to complete
   * @param rebroadcastAfterMissed missed blocks before a rebroadcast
   * @param reorgWindow blocks the Responder remembers
   * @param startHeight the chain's height when the Responder starts
   */
  public record Params(int irrevocableDepth, int rebroadcastAfterMissed, int reorgWindow, int startHeight) {
    /**
     * Returns the Responder's configuration.
     *
     * @return the configuration
     */
    public ResponderConfig config() {
      return new ResponderConfig(irrevocableDepth, rebroadcastAfterMissed, reorgWindow);
    }
  }

  /** Validates and copies the components. */
  public History {
    Objects.requireNonNull(params, "params");
    Objects.requireNonNull(style, "style");
    steps = List.copyOf(steps);
  }

  /**
   * Returns this history with other steps.
   *
   * @param newSteps the steps
   * @return the new history
   */
  public History withSteps(List<Step> newSteps) {
    return new History(seed, params, style, newSteps);
  }

  /**
   * Returns the history as Java that rebuilds it, one step a line.
   *
   * @return the text
   */
  public String describe() {
    StringBuilder out = new StringBuilder("new History(").append(seed).append("L, new History.Params(")
        .append(params.irrevocableDepth()).append(", ").append(params.rebroadcastAfterMissed()).append(", ")
        .append(params.reorgWindow()).append(", ").append(params.startHeight()).append("), DeliveryStyle.")
        .append(style.name()).append(", List.of(");
    for (int i = 0; i < steps.size(); i++) {
      out.append("\n    /* ").append(i).append(" */ ").append(steps.get(i)).append(i + 1 < steps.size() ? "," : "");
    }
    return out.append("))").toString();
  }
}
