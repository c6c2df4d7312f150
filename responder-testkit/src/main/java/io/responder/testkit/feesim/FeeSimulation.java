package io.responder.testkit.feesim;

import io.responder.core.TrackerStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Measures what fee escalation is worth: runs each generated {@link FeeHistory} twice over identical
 * chains (the same heights and the same market at every height), once as a rebroadcast-only responder
 * (today's behaviour, and python-teos's: the penalty alone, sent again after missed blocks, without
 * its ladder, its raw dispute or its deadline) and once with everything the history offers (deadline,
 * fee ladder, raw dispute for package relay), and judges the second against the
 * {@link FeeReferenceModel}.
 *
 * <p>The targets, checked for every seed: escalation mines every penalty that any means available to
 * it could have mined before its deadline, sent when the market already asked for them (a penalty
 * that only spending before the market asked could save, a spike right after the last moment the
 * Responder could act, is counted apart and reported, not held against it); it never lets go of a tracker the rebroadcast-only run
 * keeps; it never pays more than the ladder's top rung and never broadcasts anything but the
 * history's disputes and rungs; its state agrees with its store at the end.
 *
 * <pre>{@code
 * FeeSimulation.Report report = FeeSimulation.runSeeds(1, 300, InMemoryTrackerStore::new, 2);
 * System.out.println(report.table());
 * assertEquals(List.of(), report.failures(), report.describeFailures());
 * }</pre>
 *
 * <p>Stateless and thread-safe; every run builds its own chain, store and Responder.
 */
public final class FeeSimulation {
  private FeeSimulation() {}

  /** What the Responder is given of each breach. */
  public enum Mode {
    /** The penalty alone: no deadline, no ladder, no raw dispute, no fee bumper. */
    REBROADCAST_ONLY(false, false, false, false),
    /**
     * The deadline, the fee ladder, the raw dispute when the watcher has it, and a fee estimator with
     * the host's fee bumper (CPFP) for the channels whose host can spend the penalty.
     */
    ESCALATION(true, true, true, true);

    private final boolean deadlines;
    private final boolean ladders;
    private final boolean rawDisputes;
    private final boolean cpfp;

    Mode(boolean deadlines, boolean ladders, boolean rawDisputes, boolean cpfp) {
      this.deadlines = deadlines;
      this.ladders = ladders;
      this.rawDisputes = rawDisputes;
      this.cpfp = cpfp;
    }

    boolean cpfp() {
      return cpfp;
    }

    boolean deadlines() {
      return deadlines;
    }

    boolean ladders() {
      return ladders;
    }

    boolean rawDisputes() {
      return rawDisputes;
    }
  }

  /**
   * What became of the breaches of one mode, added up.
   *
   * @param breaches breaches handed over
   * @param saved penalties confirmed before their deadline
   * @param late penalties confirmed at or after their deadline
   * @param lost deadlines passed with the penalty unconfirmed
   * @param open disputes unconfirmed at the end (no deadline ran)
   * @param feeSats fees paid by the saved and late penalties (with their confirmed children)
   * @param escalations rungs of a ladder sent
   * @param children CPFP children the Responder sent
   */
  public record Tally(long breaches, long saved, long late, long lost, long open, long feeSats, long escalations,
      long children) {
    /**
     * Returns the share of breaches whose penalty confirmed before the deadline.
     *
     * @return from 0 to 1; 1 when there was no breach
     */
    public double savedShare() {
      return breaches == 0 ? 1 : (double) saved / breaches;
    }

    Tally plus(Tally o) {
      return new Tally(breaches + o.breaches, saved + o.saved, late + o.late, lost + o.lost, open + o.open,
          feeSats + o.feeSats, escalations + o.escalations, children + o.children);
    }
  }

  /**
   * One seed that missed a target.
   *
   * @param seed the seed
   * @param problems what failed, one line each
   * @param history the history (shrunk when the report shrank it)
   */
  public record Failure(long seed, List<String> problems, FeeHistory history) {
    /** Copies the list. */
    public Failure {
      problems = List.copyOf(problems);
    }

    /**
     * Describes the failure: the seed, what failed, and the history.
     *
     * @return the text
     */
    public String describe() {
      return "seed " + seed + ":\n  " + String.join("\n  ", problems) + "\n" + history.describe();
    }
  }

  /**
   * The outcome of one seed.
   *
   * @param seed the seed
   * @param rebroadcastOnly the first run, added up
   * @param escalation the second
   * @param saveable breaches the reference model says escalation could save
   * @param savedOfSaveable of those, how many escalation saved
   * @param rebroadcastSavedOfSaveable of those, how many the rebroadcast-only run saved
   * @param savedOnlyByRebroadcast breaches the first run saved and the second did not
   * @param saveableWithoutForesight of the saveable ones, those means the market already asked for
   *     at the moment of their send could save (see the reference model)
   * @param savedOfSaveableWithoutForesight of those, how many escalation saved
   * @param problems the targets missed, empty when every one was met
   */
  public record SeedResult(long seed, Tally rebroadcastOnly, Tally escalation, long saveable, long savedOfSaveable,
      long rebroadcastSavedOfSaveable, long savedOnlyByRebroadcast, long saveableWithoutForesight,
      long savedOfSaveableWithoutForesight, List<String> problems) {
    /** Copies the list. */
    public SeedResult {
      problems = List.copyOf(problems);
    }
  }

  /**
   * The outcome of many seeds.
   *
   * @param firstSeed the first seed
   * @param seeds how many ran
   * @param rebroadcastOnly (a), added up
   * @param escalation (b), added up
   * @param saveable breaches the reference model says (b) could save
   * @param savedOfSaveable of those, how many (b) saved
   * @param rebroadcastSavedOfSaveable of those, how many (a) saved
   * @param savedOnlyByRebroadcast breaches (a) saved and (b) did not
   * @param saveableWithoutForesight of the saveable ones, those means the market already asked for
   *     at the moment of their send could save
   * @param savedOfSaveableWithoutForesight of those, how many (b) saved
   * @param failures the seeds that missed a target, lowest first
   */
  public record Report(long firstSeed, int seeds, Tally rebroadcastOnly, Tally escalation, long saveable,
      long savedOfSaveable, long rebroadcastSavedOfSaveable, long savedOnlyByRebroadcast, long saveableWithoutForesight,
      long savedOfSaveableWithoutForesight, List<Failure> failures) {
    /** Copies the list. */
    public Report {
      Objects.requireNonNull(rebroadcastOnly, "rebroadcastOnly");
      Objects.requireNonNull(escalation, "escalation");
      failures = List.copyOf(failures);
    }

    /**
     * Returns (a) and (b) side by side as a Markdown table.
     *
     * @return the table
     */
    public String table() {
      StringBuilder out = new StringBuilder();
      out.append(String.format(Locale.ROOT, "seeds %d to %d, %d breaches; the reference model says %d could be saved%n%n",
          firstSeed, firstSeed + seeds - 1, escalation.breaches(), saveable));
      out.append("| | (a) rebroadcast only | (b) escalation |\n|---|---:|---:|\n");
      row(out, "confirmed before the deadline", rebroadcastOnly.saved(), escalation.saved(), true);
      row(out, "confirmed too late", rebroadcastOnly.late(), escalation.late(), true);
      row(out, "unconfirmed at the deadline", rebroadcastOnly.lost(), escalation.lost(), true);
      row(out, "dispute unconfirmed at the end", rebroadcastOnly.open(), escalation.open(), true);
      out.append(String.format(Locale.ROOT, "| saveable ones confirmed in time | %d of %d (%s) | %d of %d (%s) |%n",
          rebroadcastSavedOfSaveable, saveable, percent(rebroadcastSavedOfSaveable, saveable), savedOfSaveable,
          saveable, percent(savedOfSaveable, saveable)));
      out.append(String.format(Locale.ROOT, "| of those, saveable without foresight, confirmed in time | | %d of %d (%s) |%n",
          savedOfSaveableWithoutForesight, saveableWithoutForesight,
          percent(savedOfSaveableWithoutForesight, saveableWithoutForesight)));
      out.append(String.format(Locale.ROOT, "| of those, saveable only with foresight, confirmed in time | | %d of %d |%n",
          savedOfSaveable - savedOfSaveableWithoutForesight, saveable - saveableWithoutForesight));
      out.append(String.format(Locale.ROOT, "| mean fee of a confirmed penalty (sat) | %s | %s |%n",
          mean(rebroadcastOnly), mean(escalation)));
      out.append(String.format(Locale.ROOT, "| ladder rungs sent | %d | %d |%n", rebroadcastOnly.escalations(),
          escalation.escalations()));
      out.append(String.format(Locale.ROOT, "| CPFP children sent | %d | %d |%n", rebroadcastOnly.children(),
          escalation.children()));
      out.append(String.format(Locale.ROOT, "| saved by (a) and not by (b) | %d | |%n", savedOnlyByRebroadcast));
      out.append(String.format(Locale.ROOT, "| seeds missing a target | | %d |%n", failures.size()));
      return out.toString();
    }

    private void row(StringBuilder out, String what, long a, long b, boolean withShare) {
      out.append("| ").append(what).append(" | ").append(a);
      if (withShare) {
        out.append(" (").append(percent(a, rebroadcastOnly.breaches())).append(")");
      }
      out.append(" | ").append(b);
      if (withShare) {
        out.append(" (").append(percent(b, escalation.breaches())).append(")");
      }
      out.append(" |\n");
    }

    private static String percent(long part, long whole) {
      return whole == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
    }

    private static String mean(Tally t) {
      long confirmed = t.saved() + t.late();
      return confirmed == 0 ? "-" : String.valueOf(t.feeSats() / confirmed);
    }

    /**
     * Describes every failure, or says there was none.
     *
     * @return the text
     */
    public String describeFailures() {
      if (failures.isEmpty()) {
        return "no seed missed a target in " + seeds + " seeds";
      }
      StringBuilder out = new StringBuilder(failures.size() + " of " + seeds + " seeds missed a target");
      failures.forEach(f -> out.append("\n").append(f.describe()));
      return out.toString();
    }
  }

  /** The Responder's default escalation window, for describing misses. */
  private static final int ESCALATION_WINDOW = io.responder.core.ResponderConfig.DEFAULT_ESCALATION_WINDOW;

  /** How many failing histories are shrunk; the rest are reported as generated. */
  private static final int SHRUNK_FAILURES = 1;
  /** Runs a shrink may spend: each is two runs of a history, a few tens of milliseconds. */
  private static final int SHRINK_BUDGET = 300;

  /**
   * Runs one history in both modes and judges it.
   *
   * @param history the history
   * @param stores makes an empty store for each run
   * @return the outcome
   */
  public static SeedResult run(FeeHistory history, Supplier<TrackerStore> stores) {
    Objects.requireNonNull(history, "history");
    Objects.requireNonNull(stores, "stores");
    List<Channels> channels = Channels.of(history);
    FeeRun a = new FeeRun(history, Mode.REBROADCAST_ONLY, stores, channels, false);
    List<FeeRun.ChannelEnd> endsA = a.run();
    FeeRun b = new FeeRun(history, Mode.ESCALATION, stores, channels, false);
    List<FeeRun.ChannelEnd> endsB = b.run();
    List<String> problems = new ArrayList<>();
    a.violations.forEach(v -> problems.add("(a) " + v));
    b.violations.forEach(v -> problems.add("(b) " + v));
    long saveable = 0;
    long savedOfSaveable = 0;
    long savedByA = 0;
    long onlyA = 0;
    long plainly = 0;
    long savedPlainly = 0;
    for (Channels c : channels) {
      int i = c.spec.index();
      FeeRun.ChannelEnd ea = endsA.get(i);
      FeeRun.ChannelEnd eb = endsB.get(i);
      int could = FeeReferenceModel.firstSaveableHeight(b, c);
      // Judged once the deadline has passed: a history cut short (by shrinking) leaves some open.
      if (could >= 0 && eb.fate() != FeeRun.Fate.OPEN) {
        saveable++;
        if (ea.fate() == FeeRun.Fate.SAVED) {
          savedByA++;
        }
        boolean withoutForesight = FeeReferenceModel.firstSaveableHeightWithoutForesight(b, c) >= 0;
        if (withoutForesight) {
          plainly++;
        }
        if (eb.fate() == FeeRun.Fate.SAVED) {
          savedOfSaveable++;
          if (withoutForesight) {
            savedPlainly++;
          }
        } else if (withoutForesight) {
          problems.add("channel " + i + ": (b) missed a penalty it could have saved: " + eb + "; the reference model"
              + " finds block " + could + " before the deadline " + (eb.disputeHeight() + c.spec.toSelfDelay())
              + " (dispute at " + eb.disputeHeight() + ") for the top rung at " + c.spec.topSatPerVbyte() + " sat/vB"
              + (c.spec.rawDispute() ? " or the package with the raw dispute" : "")
              + (c.spec.hostCpfp() ? " or with a child" : "") + "; the last such block is "
              + FeeReferenceModel.lastSaveableHeight(b, c) + ", sent with "
              + (eb.disputeHeight() + c.spec.toSelfDelay() - FeeReferenceModel.lastSaveableHeight(b, c)) + " blocks left, "
              + (eb.disputeHeight() + c.spec.toSelfDelay() - FeeReferenceModel.lastSaveableHeight(b, c) <= ESCALATION_WINDOW
                  ? "inside" : "outside") + " the escalation window");
        }
      }
      if (ea.fate() == FeeRun.Fate.SAVED && eb.fate() != FeeRun.Fate.SAVED) {
        onlyA++;
      }
      if (ea.fate() == FeeRun.Fate.SAVED && could < 0 && ea.disputeHeight() == eb.disputeHeight()) {
        // (a)'s means are a subset of (b)'s over the same dispute height: a model that calls this
        // unsaveable is missing a means, and every "saveable" count would be too low.
        problems.add("channel " + i + ": the reference model says no means could save a penalty (a) saved: " + ea);
      }
      if (!ea.dropped() && eb.dropped()) {
        problems.add("channel " + i + ": (b) let go of a tracker (a) keeps");
      }
      long most = c.rungFees[c.top()] + (c.spec.hostCpfp() ? history.childFeeCapSats() : 0);
      if (eb.feeSats() > most) {
        problems.add("channel " + i + ": (b) paid " + eb.feeSats() + " sat, above the top rung's " + c.rungFees[c.top()]
            + (c.spec.hostCpfp() ? " and the child cap " + history.childFeeCapSats() : ""));
      }
    }
    return new SeedResult(history.seed(), tally(endsA, a), tally(endsB, b), saveable, savedOfSaveable, savedByA, onlyA,
        plainly, savedPlainly, problems);
  }

  private static Tally tally(List<FeeRun.ChannelEnd> ends, FeeRun run) {
    long saved = 0;
    long late = 0;
    long lost = 0;
    long open = 0;
    long fees = 0;
    for (FeeRun.ChannelEnd e : ends) {
      switch (e.fate()) {
        case SAVED -> saved++;
        case LATE -> late++;
        case LOST -> lost++;
        case OPEN -> open++;
        default -> throw new IllegalStateException("unknown fate " + e.fate());
      }
      fees += e.feeSats();
    }
    return new Tally(ends.size(), saved, late, lost, open, fees, run.escalations(), run.children());
  }

  /**
   * Runs one history in a mode and returns what happened, line by line: every step, every block with
   * the history's transactions in it and the market it was mined in, what the Responder sent at each
   * call and what the mempool held after, and the Responder's fee events.
   *
   * @param history the history
   * @param mode which run
   * @param stores makes an empty store
   * @return the trace, ending with each channel's end
   */
  public static List<String> trace(FeeHistory history, Mode mode, Supplier<TrackerStore> stores) {
    List<Channels> channels = Channels.of(history);
    FeeRun run = new FeeRun(history, mode, stores, channels, true);
    List<FeeRun.ChannelEnd> ends = run.run();
    List<String> out = new ArrayList<>(run.trace);
    for (int i = 0; i < ends.size(); i++) {
      out.add("channel " + i + ": " + ends.get(i) + (mode == Mode.ESCALATION
          ? ", reference model's first block in time: " + FeeReferenceModel.firstSaveableHeight(run, channels.get(i)) : ""));
    }
    out.addAll(run.violations);
    return out;
  }

  /**
   * Generates and runs the history of one seed.
   *
   * @param seed the seed
   * @param stores makes an empty store for each run
   * @return the outcome
   */
  public static SeedResult runSeed(long seed, Supplier<TrackerStore> stores) {
    return run(FeeHistoryGenerator.generate(seed), stores);
  }

  /**
   * Runs the seeds {@code first} to {@code first + count - 1} on {@code threads} threads, and shrinks
   * the first few failures.
   *
   * @param first the first seed
   * @param count how many seeds
   * @param stores makes an empty store for each run
   * @param threads how many threads run histories
   * @return the table's numbers and the failures
   */
  public static Report runSeeds(long first, int count, Supplier<TrackerStore> stores, int threads) {
    Objects.requireNonNull(stores, "stores");
    AtomicLong next = new AtomicLong(first);
    long end = first + count;
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
    try {
      List<Future<List<SeedResult>>> futures = new ArrayList<>();
      for (int t = 0; t < Math.max(1, threads); t++) {
        futures.add(pool.submit(() -> {
          List<SeedResult> mine = new ArrayList<>();
          for (long seed = next.getAndIncrement(); seed < end; seed = next.getAndIncrement()) {
            mine.add(runSeed(seed, stores));
          }
          return mine;
        }));
      }
      List<SeedResult> all = new ArrayList<>();
      for (Future<List<SeedResult>> f : futures) {
        all.addAll(f.get());
      }
      all.sort(Comparator.comparingLong(SeedResult::seed));
      Tally a = new Tally(0, 0, 0, 0, 0, 0, 0, 0);
      Tally b = a;
      long saveable = 0;
      long savedOfSaveable = 0;
      long savedByA = 0;
      long onlyA = 0;
      long plainly = 0;
      long savedPlainly = 0;
      List<Failure> failures = new ArrayList<>();
      for (SeedResult r : all) {
        a = a.plus(r.rebroadcastOnly());
        b = b.plus(r.escalation());
        saveable += r.saveable();
        savedOfSaveable += r.savedOfSaveable();
        savedByA += r.rebroadcastSavedOfSaveable();
        onlyA += r.savedOnlyByRebroadcast();
        plainly += r.saveableWithoutForesight();
        savedPlainly += r.savedOfSaveableWithoutForesight();
        if (!r.problems().isEmpty()) {
          FeeHistory h = FeeHistoryGenerator.generate(r.seed());
          if (failures.size() < SHRUNK_FAILURES) {
            h = shrink(h, stores);
            failures.add(new Failure(r.seed(), run(h, stores).problems(), h));
          } else {
            failures.add(new Failure(r.seed(), r.problems(), h));
          }
        }
      }
      return new Report(first, count, a, b, saveable, savedOfSaveable, savedByA, onlyA, plainly, savedPlainly, failures);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a simulation worker failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  private static String rule(String problem) {
    int cut = problem.indexOf(';');
    return (cut < 0 ? problem : problem.substring(0, cut)).replaceAll("[0-9]+", "#").replaceAll("ChannelEnd\\[.*", "");
  }

  /**
   * Shrinks a failing history: removes chunks of 16, 4, then 1 steps as long as it still misses the
   * same target (the first problem's text, numbers aside), within a budget of a few hundred runs.
   * Breaches stay: each channel is judged only once it was breached.
   *
   * @param failing a history that misses a target
   * @param stores makes an empty store for each run
   * @return the shortest history found that still misses one
   */
  public static FeeHistory shrink(FeeHistory failing, Supplier<TrackerStore> stores) {
    List<String> first = run(failing, stores).problems();
    if (first.isEmpty()) {
      throw new IllegalArgumentException("the history meets every target");
    }
    // The same rule: the first problem's text with its numbers (heights, fees) left out.
    String kind = rule(first.get(0));
    FeeHistory best = failing;
    boolean removed = true;
    int budget = SHRINK_BUDGET;
    while (removed && budget > 0) {
      removed = false;
      for (int chunk : new int[] {16, 4, 1}) {
        int i = 0;
        while (i < best.steps().size() && budget-- > 0) {
          List<FeeStep> steps = new ArrayList<>(best.steps());
          List<FeeStep> cut = steps.subList(i, Math.min(steps.size(), i + chunk));
          if (cut.stream().anyMatch(s -> s instanceof FeeStep.Breach)) {
            i += chunk;
            continue;
          }
          cut.clear();
          FeeHistory attempt = best.withSteps(steps);
          if (run(attempt, stores).problems().stream().anyMatch(p -> rule(p).equals(kind))) {
            best = attempt;
            removed = true;
          } else {
            i += chunk;
          }
        }
      }
    }
    return best;
  }
}
