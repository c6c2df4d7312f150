package io.responder.benchmarks;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replays one trace through two builds of the library in one process, block by block in turn, and
 * compares them block by block: what a change does to each block's cost, measured so that both
 * builds see the machine at the same moment.
 *
 * <pre>
 * PairedReplay TRACE --a JAR[:JAR...] --b JAR[:JAR...] --out DIR [--passes N] [--warmup N] [--crossover] [--counting-carrier]
 * </pre>
 *
 * <p>Each build is the jars given (the library's, say {@code responder-core.jar} and
 * {@code responder-store-inmemory.jar} of one commit) in front of this benchmarks jar, in a class
 * loader of its own that loads every {@code io.responder} class from them first; the rest (Jackson,
 * Guava, the JDK) is shared. Each build runs {@link TraceReplay} (without the heap pass) on a thread
 * of its own. Their intakes run side by side; their blocks take turns: one build runs a block, then
 * the other the same block, then both the next one, in an order drawn per block ({@link Turns}), so
 * neither runs a block while the other does, and a passing load on this shared machine falls on
 * neighbouring blocks of both. Each pass ends when both have ended it. The per-block lines go to {@code DIR/a.jsonl} and {@code DIR/b.jsonl}.
 *
 * <p>The comparison is of each block's CPU time without the replay carrier's ({@code cpu_ms -
 * carrier_ms}): a collection pause stops both builds' threads and is in neither. Printed: for each
 * build, the CPU time per changed tracker of the plain blocks (not rebroadcast storms), per pass,
 * and the storms' CPU; then B over A block by block, median and quartiles, plain blocks and storms
 * apart. The two builds share one heap: the trace at a million needs about 10 GB ({@code -Xmx10g}).
 *
 * <p>Which side a build is on still matters by a few percent (an A/A run at a million put B's storms
 * 6.5% and its plain blocks 3.4% from A's: where each build's objects land in the shared heap,
 * which classes the JIT compiles first). To resolve a change of that size, {@code --crossover} runs
 * the comparison twice, b as B (lines in {@code DIR/b-as-b}) and then b as A ({@code DIR/b-as-a}),
 * and prints b over a as the geometric mean of the first run's B / A and the second's A / B, with
 * the sides' bias that cancels. {@code --counting-carrier} gives both builds the node that only
 * counts ({@link TraceReplay#countingCarrier}).
 */
public final class PairedReplay {
  private static final long TURN_TIMEOUT_MINUTES = 30;
  private static final String USAGE = "usage: PairedReplay TRACE --a JAR[:JAR...] --b JAR[:JAR...] --out DIR "
      + "[--passes N] [--warmup N] [--crossover] [--counting-carrier]";
  private static final Pattern NUMBER = Pattern.compile("\"(\\w+)\":(-?[0-9.]+)");

  private PairedReplay() {}

  /**
   * Runs the paired replay.
   *
   * @param args see the class comment
   * @throws Exception if a build cannot be loaded or fails, or a file cannot be read or written
   */
  public static void main(String[] args) throws Exception {
    Path trace = null;
    String a = null;
    String b = null;
    Path out = null;
    int passes = 3;
    int warmup = TraceReplay.AUTO_WARMUP;
    boolean crossover = false;
    boolean counting = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--crossover" -> crossover = true;
        case "--counting-carrier" -> counting = true;
        case "--a" -> a = args[++i];
        case "--b" -> b = args[++i];
        case "--out" -> out = Path.of(args[++i]);
        case "--passes" -> passes = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        default -> {
          if (trace != null || args[i].startsWith("--")) {
            throw new IllegalArgumentException("unexpected argument " + args[i] + "; " + USAGE);
          }
          trace = Path.of(args[i]);
        }
      }
    }
    if (trace == null || a == null || b == null || out == null) {
      throw new IllegalArgumentException(USAGE);
    }
    if (passes < 1) {
      throw new IllegalArgumentException("--passes must be at least 1, got " + passes);
    }
    if (!crossover) {
      compareOnce(trace, a, b, out, warmup, passes, counting);
      return;
    }
    // The same comparison with the sides swapped: b over a is then the second run's A over B.
    Ratios bAsB = compareOnce(trace, a, b, out.resolve("b-as-b"), warmup, passes, counting);
    Ratios bAsA = compareOnce(trace, b, a, out.resolve("b-as-a"), warmup, passes, counting);
    System.out.print(crossover(bAsB, bAsA));
  }

  /** One paired run, a as A and b as B, its lines in {@code out}: prints its comparison, returns its B / A. */
  private static Ratios compareOnce(Path trace, String a, String b, Path out, int warmup, int passes,
      boolean counting) throws Exception {
    Files.createDirectories(out);
    Path aBlocks = out.resolve("a.jsonl");
    Path bBlocks = out.resolve("b.jsonl");
    String[] summaries = run(trace, loader(a), loader(b), aBlocks, bBlocks, warmup, passes, counting);
    System.out.println("run in " + out + " (a: " + a + ", b: " + b + ")");
    System.out.println("a: " + summaries[0]);
    System.out.println("b: " + summaries[1]);
    List<BlockLine> aLines = read(aBlocks);
    List<BlockLine> bLines = read(bBlocks);
    BlockRatios r = blockRatios(aLines, bLines);
    System.out.print(compare(aLines, bLines, r));
    return new Ratios(median(r.plain()), median(r.storms()));
  }

  /** Medians of B / A block by block: the plain blocks', the storms'. */
  record Ratios(double plain, double storms) {}

  /**
   * The crossover's figures: b over a with the sides' bias cancelled, {@code sqrt(r1 / r2)}, where
   * {@code r1} is B / A with b as B and {@code r2} B / A with b as A; and the bias, {@code sqrt(r1 * r2)},
   * which is what B / A would be for two copies of one build.
   */
  static String crossover(Ratios bAsB, Ratios bAsA) {
    return String.format(Locale.ROOT, "b / a, crossover of both sides: plain blocks %.3f (the sides' bias %.3f), "
            + "storm blocks %.3f (%.3f)%n", Math.sqrt(bAsB.plain() / bAsA.plain()), Math.sqrt(bAsB.plain() * bAsA.plain()),
        Math.sqrt(bAsB.storms() / bAsA.storms()), Math.sqrt(bAsB.storms() * bAsA.storms()));
  }

  /**
   * A loader that takes {@code io.responder} classes from {@code jars} (or class directories), then
   * from this jar, before its parent.
   */
  private static ClassLoader loader(String jars) throws MalformedURLException {
    List<URL> urls = new ArrayList<>();
    for (String jar : jars.split(":")) {
      Path p = Path.of(jar);
      if (!Files.exists(p)) {
        throw new IllegalArgumentException("no such jar or class directory: " + jar);
      }
      urls.add(p.toUri().toURL());
    }
    urls.add(PairedReplay.class.getProtectionDomain().getCodeSource().getLocation());
    return new URLClassLoader(urls.toArray(URL[]::new), PairedReplay.class.getClassLoader()) {
      @Override
      protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!name.startsWith("io.responder.")) {
          return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
          Class<?> c = findLoadedClass(name);
          if (c == null) {
            c = findClass(name);
          }
          if (resolve) {
            resolveClass(c);
          }
          return c;
        }
      }
    };
  }

  private static String[] run(Path trace, ClassLoader a, ClassLoader b, Path aBlocks, Path bBlocks, int warmup,
      int passes, boolean counting) throws Exception {
    Turns turns = new Turns();
    CyclicBarrier passEnd = new CyclicBarrier(2);
    String[] summaries = new String[2];
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread[] threads = {
        replayer("replay-a", a, 0, turns, passEnd, trace, aBlocks, warmup, passes, counting, s -> summaries[0] = s, failure),
        replayer("replay-b", b, 1, turns, passEnd, trace, bBlocks, warmup, passes, counting, s -> summaries[1] = s, failure)};
    for (Thread t : threads) {
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("a replay failed", failure.get());
    }
    return summaries;
  }

  private static Thread replayer(String name, ClassLoader loader, int build, Turns turns, CyclicBarrier passEnd,
      Path trace, Path blocks, int warmup, int passes, boolean counting, Consumer<String> summary,
      AtomicReference<Throwable> failure) {
    Thread t = new Thread(() -> {
      try {
        Class<?> replay = loader.loadClass("io.responder.benchmarks.TraceReplay");
        replay.getField("beforeEachBlock").set(null, (Runnable) () -> turns.begin(build));
        replay.getField("afterEachBlock").set(null, (Runnable) turns::end);
        replay.getField("afterEachPass").set(null, (Runnable) () -> await(passEnd));
        replay.getField("countingCarrier").setBoolean(null, counting);
        summary.accept((String) replay.getMethod("run", Path.class, Path.class, int.class, boolean.class, boolean.class,
            int.class).invoke(null, trace, blocks, warmup, false, true, passes));
      } catch (InvocationTargetException e) {
        failed(e.getCause(), failure, turns, passEnd);
      } catch (ReflectiveOperationException | RuntimeException e) {
        failed(e, failure, turns, passEnd);
      }
    }, name);
    t.setContextClassLoader(loader);
    return t;
  }

  /** Records the failure and lets the other replay run on alone to its next pass end, where it stops. */
  private static void failed(Throwable e, AtomicReference<Throwable> failure, Turns turns, CyclicBarrier passEnd) {
    failure.compareAndSet(null, e);
    turns.abandon();
    passEnd.reset();
  }

  /**
   * Who runs each block first. The order is drawn per block (from the block's number, so every run
   * draws the same), not fixed: what one build's block leaves behind (the collector's work on its
   * garbage, a dirtied cache) falls on the block that runs next, and with a fixed order it would
   * always fall on the same build.
   */
  static final class Turns {
    private long block;
    /** How many builds have run the current block: 0, 1 or 2. */
    private int ran;
    private boolean abandoned;

    /** Build 0 or 1 is the first to run block {@code n} (counted from 0 over the whole run). */
    static int first(long n) {
      long h = (n + 1) * 0x9E3779B97F4A7C15L;
      return (int) ((h ^ (h >>> 29)) >>> 63);
    }

    synchronized void begin(int build) {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(TURN_TIMEOUT_MINUTES);
      while (!abandoned && ((ran == 0) != (first(block) == build))) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException("the other replay did not hand over its turn in " + TURN_TIMEOUT_MINUTES + " minutes");
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted waiting for a turn", e);
        }
      }
    }

    synchronized void end() {
      if (++ran == 2) {
        ran = 0;
        block++;
      }
      notifyAll();
    }

    /** One replay failed: the other runs on alone. */
    synchronized void abandon() {
      abandoned = true;
      notifyAll();
    }
  }

  private static void await(CyclicBarrier barrier) {
    try {
      barrier.await(TURN_TIMEOUT_MINUTES, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for the other replay", e);
    } catch (BrokenBarrierException | TimeoutException e) {
      throw new IllegalStateException("the other replay stopped", e);
    }
  }

  /** One per-block line: the fields the comparison reads. */
  record BlockLine(long height, int pass, double cpuMs, double carrierMs, long changed, long rebroadcast) {
    double ownCpuMs() {
      return cpuMs - carrierMs;
    }

    boolean storm() {
      return rebroadcast > 0;
    }
  }

  static List<BlockLine> read(Path perBlock) throws IOException {
    List<BlockLine> lines = new ArrayList<>();
    for (String line : Files.readAllLines(perBlock)) {
      Map<String, Double> f = new HashMap<>();
      Matcher m = NUMBER.matcher(line);
      while (m.find()) {
        f.put(m.group(1), Double.parseDouble(m.group(2)));
      }
      lines.add(new BlockLine(f.get("height").longValue(), f.get("pass").intValue(), f.get("cpu_ms"), f.get("carrier_ms"),
          f.get("changed").longValue(), f.get("rebroadcast").longValue()));
    }
    return lines;
  }

  /** The comparison printed at the end: see the class comment. */
  static String compare(List<BlockLine> a, List<BlockLine> b) {
    return compare(a, b, blockRatios(a, b));
  }

  private static String compare(List<BlockLine> a, List<BlockLine> b, BlockRatios r) {
    return perBuild("a", a) + perBuild("b", b) + ratios("plain blocks", r.plain()) + ratios("storm blocks", r.storms());
  }

  /** B / A block by block: the plain blocks' and the storms'. */
  private record BlockRatios(List<Double> plain, List<Double> storms) {}

  /** The block ratios of two builds' lines, which must be of the same blocks. */
  private static BlockRatios blockRatios(List<BlockLine> a, List<BlockLine> b) {
    if (a.size() != b.size()) {
      throw new IllegalArgumentException("the replays measured " + a.size() + " and " + b.size() + " blocks");
    }
    List<Double> plain = new ArrayList<>();
    List<Double> storms = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      BlockLine x = a.get(i);
      BlockLine y = b.get(i);
      if (x.height() != y.height() || x.pass() != y.pass() || x.changed() != y.changed()) {
        throw new IllegalArgumentException("line " + (i + 1) + " differs in height, pass or changed trackers: " + x + " / " + y);
      }
      if (x.changed() > 0 && x.ownCpuMs() > 0) {
        (x.storm() ? storms : plain).add(y.ownCpuMs() / x.ownCpuMs());
      }
    }
    return new BlockRatios(plain, storms);
  }

  private static String perBuild(String name, List<BlockLine> lines) {
    int passes = lines.stream().mapToInt(BlockLine::pass).max().orElse(0);
    List<String> perPass = new ArrayList<>();
    List<Double> storms = new ArrayList<>();
    for (int p = 1; p <= passes; p++) {
      double cpu = 0;
      long changed = 0;
      for (BlockLine l : lines) {
        if (l.pass() == p && !l.storm()) {
          cpu += l.ownCpuMs();
          changed += l.changed();
        }
        if (l.pass() == p && l.storm()) {
          storms.add(l.ownCpuMs());
        }
      }
      perPass.add(String.format(Locale.ROOT, "%.3f", changed == 0 ? Double.NaN : 1000 * cpu / changed));
    }
    return String.format(Locale.ROOT, "%s: CPU us per changed tracker, plain blocks, per pass %s; storm CPU ms median %.0f%n",
        name, perPass, median(storms));
  }

  private static String ratios(String what, List<Double> r) {
    if (r.isEmpty()) {
      return what + ": none\n";
    }
    double[] v = r.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return String.format(Locale.ROOT, "b / a, %s (%d): median %.3f, quartiles %.3f and %.3f%n", what, v.length,
        TraceReplay.quantile(v, 0.5), TraceReplay.quantile(v, 0.25), TraceReplay.quantile(v, 0.75));
  }

  private static double median(List<Double> values) {
    return values.isEmpty() ? Double.NaN
        : TraceReplay.quantile(values.stream().mapToDouble(Double::doubleValue).sorted().toArray(), 0.5);
  }
}
