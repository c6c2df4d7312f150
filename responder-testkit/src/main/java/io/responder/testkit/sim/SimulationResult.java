package io.responder.testkit.sim;

import java.util.Objects;
import java.util.Optional;

/**
 * What one simulated history gave: the first violation, if any, and what it exercised. Instances are
 * immutable once returned (the stats are not changed afterwards).
 *
 * @param history the history that ran
 * @param violation the first broken guarantee, or empty if the history passed
 * @param stats what it exercised
 */
public record SimulationResult(History history, Optional<Violation> violation, SimulationStats stats) {
  /** Validates the components. */
  public SimulationResult {
    Objects.requireNonNull(history, "history");
    Objects.requireNonNull(violation, "violation");
    Objects.requireNonNull(stats, "stats");
  }

  /**
   * Returns whether every guarantee held.
   *
   * @return true if no violation was found
   */
  public boolean passed() {
    return violation.isEmpty();
  }
}
