package io.responder.testkit.sim;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one simulated history gave: the first violation, if any, and what it exercised. Instances are
 * immutable once returned (the stats are not changed afterwards).
 *
 * @param history the history that ran
 * @param violation the first broken guarantee, or empty if the history passed
 * @param stats what it exercised
 * @param trace what happened, line by line (steps, calls, broadcasts, events), when the run was traced;
 *     else empty
 * @since 0.1.0
 */
public record SimulationResult(History history, Optional<Violation> violation, SimulationStats stats, List<String> trace) {
  /** Validates the components. */
  public SimulationResult {
    Objects.requireNonNull(history, "history");
    Objects.requireNonNull(violation, "violation");
    Objects.requireNonNull(stats, "stats");
    trace = List.copyOf(trace);
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
