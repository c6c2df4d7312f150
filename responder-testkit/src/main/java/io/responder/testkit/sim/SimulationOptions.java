package io.responder.testkit.sim;

import io.responder.core.InvalidInputException;
import io.responder.core.TrackerStore;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * How simulations are generated and run: history lengths, the range of irrevocable depths, the store
 * under test, and the shrinking budget. Instances are immutable; start from {@link #of(Supplier)}.
 *
 * @param minSteps fewest steps in a history
 * @param maxSteps most steps in a history
 * @param minDepth smallest irrevocable depth drawn
 * @param maxDepth largest irrevocable depth drawn
 * @param storeFactory makes an empty store for each history
 * @param reopen simulates a process restart of a store (closes it and opens the same data); the
 *     identity for stores that live in memory
 * @param shrinkRuns how many reruns shrinking a failure may take; 0 turns shrinking off
 * @since 0.1.0
 */
public record SimulationOptions(
    int minSteps, int maxSteps, int minDepth, int maxDepth, Supplier<TrackerStore> storeFactory,
    UnaryOperator<TrackerStore> reopen, int shrinkRuns) {
  /** Validates the components. */
  public SimulationOptions {
    Objects.requireNonNull(storeFactory, "storeFactory");
    Objects.requireNonNull(reopen, "reopen");
    if (minSteps < 1 || maxSteps < minSteps) {
      throw new InvalidInputException("maxSteps", "steps must satisfy 1 <= minSteps <= maxSteps");
    }
    if (minDepth < 1 || maxDepth < minDepth) {
      throw new InvalidInputException("maxDepth", "depths must satisfy 1 <= minDepth <= maxDepth");
    }
    if (shrinkRuns < 0) {
      throw new InvalidInputException("shrinkRuns", "must not be negative");
    }
  }

  /**
   * Returns the defaults over a store: 30 to 80 steps, irrevocable depths 10 to 20 (so that
   * completions happen within short histories), up to 400 shrinking reruns.
   *
   * @param storeFactory makes an empty store for each history
   * @return the options
   */
  public static SimulationOptions of(Supplier<TrackerStore> storeFactory) {
    return new SimulationOptions(30, 80, 10, 20, storeFactory, UnaryOperator.identity(), 400);
  }

  /**
   * Returns a copy with other history lengths.
   *
   * @param min fewest steps
   * @param max most steps
   * @return the new options
   */
  public SimulationOptions withSteps(int min, int max) {
    return new SimulationOptions(min, max, minDepth, maxDepth, storeFactory, reopen, shrinkRuns);
  }

  /**
   * Returns a copy with other irrevocable depths.
   *
   * @param min smallest depth
   * @param max largest depth
   * @return the new options
   */
  public SimulationOptions withDepths(int min, int max) {
    return new SimulationOptions(minSteps, maxSteps, min, max, storeFactory, reopen, shrinkRuns);
  }

  /**
   * Returns a copy with a way to reopen the store after a simulated process death.
   *
   * @param reopenStore closes a store and returns one over the same data
   * @return the new options
   */
  public SimulationOptions withReopen(UnaryOperator<TrackerStore> reopenStore) {
    return new SimulationOptions(minSteps, maxSteps, minDepth, maxDepth, storeFactory, reopenStore, shrinkRuns);
  }

  /**
   * Returns a copy with another shrinking budget.
   *
   * @param runs reruns allowed; 0 turns shrinking off
   * @return the new options
   */
  public SimulationOptions withShrinkRuns(int runs) {
    return new SimulationOptions(minSteps, maxSteps, minDepth, maxDepth, storeFactory, reopen, runs);
  }
}
