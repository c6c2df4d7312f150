package io.responder.testkit.sim;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs generated chain histories against a Responder and the {@link ReferenceModel}, and shrinks the
 * ones that fail.
 *
 * <p>A history (see {@link HistoryGenerator}) runs over a {@link io.responder.testkit.FakeChain}, the
 * store from the {@link SimulationOptions} behind a {@link FaultyTrackerStore}, and a Responder whose
 * process the history may kill at any call; the host delivers blocks in the history's
 * {@link DeliveryStyle}. After every step the model checks the Responder (see its rules). At the end
 * the node comes back for good and blocks are mined until every tracker has ended.
 *
 * <pre>{@code
 * Simulation.Report report = Simulation.runSeeds(1, 1000, SimulationOptions.of(MyStore::new), 2);
 * System.out.println(report.stats().summary());
 * assertEquals(List.of(), report.failures(), report.describeFailures());
 * }</pre>
 *
 * <p>A failing seed is reported with its violation and a shrunk history that still fails the same
 * way: steps are removed (the tail after the failure first, then ever smaller chunks) while the same
 * rule keeps failing. The shrunk history prints as Java, ready to pin in a regression test with
 * {@link #run(History, SimulationOptions)}.
 *
 * <p>Stateless and thread-safe; every run builds its own chain, store and Responder.
 *
 * @since 0.1.0
 */
public final class Simulation {
  private Simulation() {}

  /**
   * One failing seed.
   *
   * @param seed the seed
   * @param violation what failed first
   * @param original the generated history
   * @param shrunk a shorter history failing with the same rule (the original if shrinking was off)
   * @param shrunkViolation how the shrunk history fails
   * @param trace what the shrunk history did, line by line
   */
  public record Failure(long seed, Violation violation, History original, History shrunk, Violation shrunkViolation,
      List<String> trace) {
    /** Copies the trace. */
    public Failure {
      trace = List.copyOf(trace);
    }

    /**
     * Describes the failure for a test report: the seed, how to rerun it, and the shrunk history.
     *
     * @return the text
     */
    public String describe() {
      History.Params p = original.params();
      return "seed " + seed + " failed: " + violation
          + "\n  style " + original.style() + ", irrevocable depth " + p.irrevocableDepth() + ", rebroadcast after "
          + p.rebroadcastAfterMissed() + ", reorg window " + p.reorgWindow() + ", " + original.steps().size() + " steps"
          + "\n  rerun alone with -D" + SEED_PROPERTY + "=" + seed
          + "\n  shrunk to " + shrunk.steps().size() + " steps, failing with: " + shrunkViolation
          + "\n  " + shrunk.describe()
          + (trace.isEmpty() ? "" : "\n  trace of the shrunk history:\n    " + String.join("\n    ", trace));
    }
  }

  /**
   * The outcome of many seeds.
   *
   * @param seeds how many seeds ran
   * @param stats what they exercised, added up
   * @param failures the failing seeds, lowest first
   */
  public record Report(int seeds, SimulationStats stats, List<Failure> failures) {
    /** Validates and copies the components. */
    public Report {
      Objects.requireNonNull(stats, "stats");
      failures = List.copyOf(failures);
    }

    /**
     * Describes every failure, or says there was none.
     *
     * @return the text
     */
    public String describeFailures() {
      if (failures.isEmpty()) {
        return "no failures in " + seeds + " seeds";
      }
      StringBuilder out = new StringBuilder(failures.size() + " of " + seeds + " seeds failed");
      failures.forEach(f -> out.append("\n").append(f.describe()));
      return out.toString();
    }
  }

  /** The system property a test may read to rerun one seed; named in failure reports. */
  public static final String SEED_PROPERTY = "responder.sim.seed";

  /** How many failing seeds are shrunk; the others are listed with their first violation only. */
  private static final int SHRUNK_FAILURES = 3;

  /**
   * Runs one history.
   *
   * @param history the history
   * @param options the store and other options
   * @return what happened
   */
  public static SimulationResult run(History history, SimulationOptions options) {
    Objects.requireNonNull(history, "history");
    Objects.requireNonNull(options, "options");
    return new Run(history, options, false).run();
  }

  /**
   * Runs one history, recording what happened line by line in {@link SimulationResult#trace()}.
   *
   * @param history the history
   * @param options the store and other options
   * @return what happened, with its trace
   */
  public static SimulationResult trace(History history, SimulationOptions options) {
    Objects.requireNonNull(history, "history");
    Objects.requireNonNull(options, "options");
    return new Run(history, options, true).run();
  }

  /**
   * Generates and runs the history of one seed.
   *
   * @param seed the seed
   * @param options lengths, depths and the store
   * @return what happened
   */
  public static SimulationResult runSeed(long seed, SimulationOptions options) {
    return run(HistoryGenerator.generate(seed, options), options);
  }

  /**
   * Runs the seeds {@code first} to {@code first + count - 1} on {@code threads} threads, then
   * shrinks the first few failures.
   *
   * @param first the first seed
   * @param count how many seeds
   * @param options lengths, depths, the store and the shrinking budget
   * @param threads how many threads run histories
   * @return the counts and failures
   */
  public static Report runSeeds(long first, int count, SimulationOptions options, int threads) {
    Objects.requireNonNull(options, "options");
    AtomicLong next = new AtomicLong(first);
    long end = first + count;
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
    List<Future<Worker>> futures = new ArrayList<>();
    try {
      for (int t = 0; t < Math.max(1, threads); t++) {
        futures.add(pool.submit(() -> {
          Worker w = new Worker();
          for (long seed = next.getAndIncrement(); seed < end; seed = next.getAndIncrement()) {
            SimulationResult r = runSeed(seed, options);
            w.stats.add(r.stats());
            if (!r.passed()) {
              w.failed.add(r);
            }
          }
          return w;
        }));
      }
      SimulationStats total = new SimulationStats();
      List<SimulationResult> failed = new ArrayList<>();
      for (Future<Worker> f : futures) {
        Worker w = f.get();
        total.add(w.stats);
        failed.addAll(w.failed);
      }
      failed.sort(Comparator.comparingLong(r -> r.history().seed()));
      List<Failure> failures = new ArrayList<>();
      for (int i = 0; i < failed.size(); i++) {
        SimulationResult r = failed.get(i);
        Violation v = r.violation().orElseThrow();
        if (i < SHRUNK_FAILURES) {
          SimulationResult shrunk = trace(shrink(r, options).history(), options);
          failures.add(new Failure(r.history().seed(), v, r.history(), shrunk.history(),
              shrunk.violation().orElse(v), shrunk.trace()));
        } else {
          failures.add(new Failure(r.history().seed(), v, r.history(), r.history(), v, List.of()));
        }
      }
      return new Report(count, total, failures);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a simulation worker failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Shrinks a failing history: cuts the steps after the failure, then removes chunks of steps,
   * halving the chunk size, as long as the same rule still fails, within the options' budget.
   *
   * @param failing a failed result
   * @param options the options it ran with
   * @return the result of the shortest history found, which fails with the same rule
   */
  public static SimulationResult shrink(SimulationResult failing, SimulationOptions options) {
    Violation target = failing.violation().orElseThrow(() -> new IllegalArgumentException("the result passed"));
    SimulationResult best = cutAfterFailure(failing, options, target.rule());
    int budget = options.shrinkRuns();
    int chunk = Math.max(1, best.history().steps().size() / 2);
    while (budget > 0) {
      boolean removed = false;
      int i = 0;
      while (i < best.history().steps().size() && budget > 0) {
        List<Step> steps = new ArrayList<>(best.history().steps());
        steps.subList(i, Math.min(steps.size(), i + chunk)).clear();
        budget--;
        SimulationResult attempt = run(best.history().withSteps(steps), options);
        if (sameFailure(attempt, target.rule())) {
          best = cutAfterFailure(attempt, options, target.rule());
          removed = true;
        } else {
          i += chunk;
        }
      }
      if (!removed) {
        if (chunk == 1) {
          break;
        }
        chunk = Math.max(1, chunk / 2);
      }
    }
    return best;
  }

  private static SimulationResult cutAfterFailure(SimulationResult r, SimulationOptions options, String rule) {
    int at = r.violation().orElseThrow().step();
    List<Step> steps = r.history().steps();
    if (at + 1 >= steps.size()) {
      return r;
    }
    SimulationResult cut = run(r.history().withSteps(steps.subList(0, at + 1)), options);
    return sameFailure(cut, rule) ? cut : r;
  }

  private static boolean sameFailure(SimulationResult r, String rule) {
    Optional<Violation> v = r.violation();
    return v.isPresent() && v.get().rule().equals(rule);
  }

  private static final class Worker {
    final SimulationStats stats = new SimulationStats();
    final List<SimulationResult> failed = new ArrayList<>();
  }
}
