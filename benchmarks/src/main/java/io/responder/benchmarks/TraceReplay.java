package io.responder.benchmarks;

import io.responder.core.Block;
import io.responder.core.BlockRef;
import io.responder.core.Breach;
import io.responder.core.Responder;
import io.responder.core.TrackerStore;
import io.responder.core.Txid;
import io.responder.store.inmemory.InMemoryTrackerStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Replays a workload trace (the format of {@link TraceGenerator}) against a Responder and prints one
 * summary line:
 *
 * <pre>
 * trackers=N blocks=B onblock_ms_median=X onblock_ms_max=X intake_s=X carrier_calls_per_block=X
 * heap_bytes_per_tracker=X completed=N expired=N rebroadcasts=N ...
 * </pre>
 *
 * (on one line; more fields follow). The Responder runs over the in-memory store, a
 * {@link ChainSource} built from the trace's blocks whose best block is always the last block handed
 * to {@code onBlock}, and a {@link ReplayCarrier} that accepts everything and knows what the trace
 * has mined ({@code --counting-carrier}: one that knows nothing and only counts, as issue 16 states
 * its storm target).
 *
 * <p>Three passes over the file, each streaming it: {@code --warmup} full replays whose results are
 * thrown away, so that the measured blocks run compiled code (default: as many as make about 200,000
 * breaches and their blocks, at least 1 and at most 20: one at a million trackers, 20 at 10,000,
 * where a single pass leaves the blocks interpreted); a heap pass that hands the breaches to a
 * Responder over a {@link DiscardingStore} and compares the used heap after full collections before
 * and after ({@code --no-heap} skips it); and the measured replay.
 *
 * <p>{@code heap_bytes_per_tracker} is the Responder's own structures only (penalty index, groups,
 * uuids, schedules, the receipt cache): it leaves out the store, so the trackers' records and raw
 * transactions, which the in-memory store keeps on the heap (about 420 bytes a tracker more) and a
 * durable store keeps on disk.
 *
 * <p>Fields: {@code trackers} after the breaches; {@code onblock_ms_*} over the block lines, each
 * {@code onBlock} timed alone (a reorganisation's disconnection and reconnection is inside the call
 * that finds it); {@code intake_s} the time to validate ({@link Breach.Builder#build()}) and hand
 * over ({@code handleBreach}) all breaches ({@code intake_parse_s} the rest of that phase: reading
 * the file); {@code carrier_calls_per_block} carrier calls made during {@code onBlock}, per block
 * (rebroadcasts and retries only); {@code completed}, {@code expired}, {@code rebroadcasts} listener
 * events (one per tracker) during the blocks.
 *
 * <p>The cost per changed tracker: a block's changed trackers are its listener events (confirmed,
 * completed, expired, rebroadcast: one per tracker each). A block is a rebroadcast block when at least
 * half of them are rebroadcasts (in the shared traces every sixth block, which sends nearly every
 * unconfirmed penalty again). {@code us_per_changed_tracker} is the time of the other blocks over
 * their changed trackers; {@code us_per_rebroadcast_tracker} the time of the rebroadcast blocks over
 * their rebroadcast trackers (their confirmations included in the time). {@code --per-block-out FILE}
 * writes one JSON line per block (with {@code start_ms}, the wall-clock start of its {@code onBlock} in
 * epoch milliseconds, to match a profile's samples to blocks; {@code cpu_ms} and {@code carrier_ms},
 * to compare two cores block by block; {@code changed}, the block's changed trackers; and
 * {@code pass}, which measured pass: {@code --passes N} measures N passes in turn, each with a fresh
 * Responder, to pool more blocks than one pass has, and the summary line is the last pass's).
 *
 * <p>Before its first block the measured pass runs a full collection, outside the timing
 * ({@code --no-settle} skips it): the blocks then run on a heap whose trackers are old, as in a tower
 * that took its breaches over weeks. Without it, the young collection during the blocks is still
 * copying the survivors of a bulk intake of a million breaches a few seconds earlier, which no
 * running tower sees (at a million: one pause of 173 to 180 ms, against 95 to 104 ms settled).
 *
 * <p>The {@code *cpu*} fields are the same from the replay thread's CPU time
 * ({@code ThreadMXBean.getCurrentThreadCpuTime}): on a shared machine wall-clock time includes the
 * time the thread waited for a core. They leave out what other threads do meanwhile, the garbage
 * collector's pauses among it, so the wall-clock fields remain the measure on a quiet machine.
 *
 * <p>The {@code carrier_ms_*} fields are the time spent inside the replay's carrier during
 * {@code onBlock} (each call timed; per block): the stand-in node's own look-ups, which a real node
 * does in its own process. The {@code *_without_carrier} fields take it out of the CPU fields, leaving
 * the Responder's and the store's work. Likewise {@code store_ms} (per block) and
 * {@code store_ms_median} are the time spent inside the in-memory store's calls during {@code onBlock}
 * (its commit, and its reads in storms and expiries), and the {@code *_without_carrier_and_store}
 * fields take both out: the Responder's own work, with the listener's (which only counts).
 *
 * <p>{@code other_cpu_ms} (per block) and {@code other_threads_cpu_ms_per_plain_block} and
 * {@code _per_rebroadcast_block} (their means) are the CPU time of the process's other threads while
 * {@code onBlock} ran: the process's CPU time less the replay thread's. With the default collector
 * (G1) most of it is concurrent refinement: every reference a block stores into an object of the old
 * generation dirties a card that a refinement thread then scans, on a core the block could have had.
 * On Linux each thread's CPU time is read in nanoseconds ({@link ProcessCpu}); elsewhere the
 * process's clock may count in ticks too coarse for one plain block, but not for the means.
 */
public final class TraceReplay {
  private TraceReplay() {}

  /**
   * {@code --warmup} not given: enough passes for about {@link #WARMUP_BREACHES} breaches, and at
   * least {@link #MIN_AUTO_WARMUPS}.
   */
  static final int AUTO_WARMUP = -1;
  private static final int WARMUP_BREACHES = 200_000;
  /**
   * The blocks need their own warm-up, which the breaches do not measure: at a million trackers one
   * pass holds a million breaches but twenty blocks, and after one warm-up pass the compiler was still
   * at work through the first measured pass (the other threads took 15 to 23 ms of CPU per plain
   * block there, against 4 after three warm-up passes; issue 16, seventeenth round in BENCHMARKS.md).
   */
  private static final int MIN_AUTO_WARMUPS = 3;
  private static final int MAX_AUTO_WARMUPS = 20;

  private static final String USAGE =
      "usage: TraceReplay TRACE [--per-block-out FILE] [--warmup N] [--passes N] [--no-heap] [--no-settle] [--counting-carrier]";

  /**
   * Run before each block, outside its timing; with {@link #afterEachBlock} and {@link #afterEachPass},
   * the turns {@link PairedReplay} has two builds of the library take, each replaying the trace in
   * its own class loader. Alone, nothing.
   */
  public static volatile Runnable beforeEachBlock = () -> { };
  /**
   * Whether the replay's node only counts ({@link ReplayCarrier#counting}) instead of knowing what the
   * trace mined: {@code --counting-carrier}, or set by {@link PairedReplay} in each build's loader.
   */
  public static volatile boolean countingCarrier = false;
  /** Run after each block, outside its timing (see {@link #beforeEachBlock}). */
  public static volatile Runnable afterEachBlock = () -> { };
  /** Run after each pass, before the next one reads the trace (see {@link #beforeEachBlock}). */
  public static volatile Runnable afterEachPass = () -> { };

  /**
   * Runs the replay.
   *
   * @param args {@code TRACE [--per-block-out FILE] [--warmup N] [--passes N] [--no-heap] [--no-settle] [--counting-carrier]}
   * @throws IOException if the trace cannot be read or the per-block file written
   */
  public static void main(String[] args) throws IOException {
    Path trace = null;
    Path perBlockOut = null;
    int warmups = AUTO_WARMUP;
    boolean heap = true;
    boolean settle = true;
    int measuredPasses = 1;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--per-block-out" -> perBlockOut = Path.of(args[++i]);
        case "--warmup" -> warmups = Integer.parseInt(args[++i]);
        case "--passes" -> measuredPasses = Integer.parseInt(args[++i]);
        case "--no-heap" -> heap = false;
        case "--no-settle" -> settle = false;
        case "--counting-carrier" -> countingCarrier = true;
        default -> {
          if (args[i].startsWith("--") || trace != null) {
            throw new IllegalArgumentException(USAGE);
          }
          trace = Path.of(args[i]);
        }
      }
    }
    if (trace == null) {
      throw new IllegalArgumentException(USAGE);
    }
    if (measuredPasses < 1) {
      throw new IllegalArgumentException("--passes must be at least 1, got " + measuredPasses);
    }
    System.out.println(run(trace, perBlockOut, warmups, heap, settle, measuredPasses));
  }

  /**
   * Replays a trace, settling the heap before the measured blocks, and returns the summary line.
   *
   * @param trace the trace file
   * @param perBlockOut where to write one JSON line per block, or null
   * @param warmups full replays before the measured one, or {@link #AUTO_WARMUP}
   * @param heap whether to run the heap pass
   * @return the summary line
   * @throws IOException if the trace cannot be read or the per-block file written
   */
  public static String run(Path trace, Path perBlockOut, int warmups, boolean heap) throws IOException {
    return run(trace, perBlockOut, warmups, heap, true);
  }

  /**
   * The warm-up passes {@link #AUTO_WARMUP} stands for, for a trace of {@code breaches} breaches a pass:
   * about {@link #WARMUP_BREACHES} breaches, at least {@link #MIN_AUTO_WARMUPS} passes, at most
   * {@link #MAX_AUTO_WARMUPS}.
   */
  static int autoWarmups(long breaches) {
    long perPass = Math.max(1, breaches);
    return (int) Math.max(MIN_AUTO_WARMUPS, Math.min(MAX_AUTO_WARMUPS, (WARMUP_BREACHES + perPass - 1) / perPass));
  }

  /**
   * Replays a trace and returns the summary line.
   *
   * @param trace the trace file
   * @param perBlockOut where to write one JSON line per block, or null
   * @param warmups full replays before the measured one, or {@link #AUTO_WARMUP}
   * @param heap whether to run the heap pass
   * @param settle whether to run a full collection after the measured pass's intake, before its blocks
   * @return the summary line
   * @throws IOException if the trace cannot be read or the per-block file written
   */
  public static String run(Path trace, Path perBlockOut, int warmups, boolean heap, boolean settle) throws IOException {
    return run(trace, perBlockOut, warmups, heap, settle, 1);
  }

  /**
   * Replays a trace, measuring {@code measuredPasses} passes one after another, each with a fresh
   * Responder, store and chain: the per-block file holds every measured pass's blocks in turn (each
   * line with its {@code pass}, from 1), so that a comparison can pool more blocks than one pass
   * has; the summary line is the last pass's.
   *
   * @param trace the trace file
   * @param perBlockOut where to write one JSON line per block, or null
   * @param warmups full replays before the measured ones, or {@link #AUTO_WARMUP}
   * @param heap whether to run the heap pass
   * @param settle whether to run a full collection after each measured pass's intake, before its blocks
   * @param measuredPasses how many passes to measure, at least 1
   * @return the summary line of the last measured pass
   * @throws IOException if the trace cannot be read or the per-block file written
   */
  public static String run(Path trace, Path perBlockOut, int warmups, boolean heap, boolean settle, int measuredPasses)
      throws IOException {
    int passes = warmups;
    int done = 0;
    if (warmups == AUTO_WARMUP) {
      Pass first = pass(trace, Pass.Kind.FULL, null);
      done = 1;
      passes = autoWarmups(first.listener.added + first.listener.rejected);
    }
    for (; done < passes; done++) {
      pass(trace, Pass.Kind.FULL, null);
    }
    double heapPerTracker = Double.NaN;
    if (heap) {
      heapPerTracker = pass(trace, Pass.Kind.HEAP, null).heapPerTracker;
    }
    Pass.Kind measured = settle ? Pass.Kind.SETTLED : Pass.Kind.FULL;
    Pass p = null;
    try (PrintWriter out = perBlockOut == null ? null
        : new PrintWriter(Files.newBufferedWriter(perBlockOut, StandardCharsets.UTF_8))) {
      for (int n = 1; n <= measuredPasses; n++) {
        p = null; // the last pass's Responder is garbage before the next starts
        Heap.usedAfterGc(); // start each measured pass with a clean heap
        p = pass(trace, measured, out, n);
      }
    }
    return p.summary(heapPerTracker, passes);
  }

  /**
   * The {@code q} quantile of sorted values, interpolated between neighbours (the median of an even
   * count is the mean of the middle two).
   */
  static double quantile(double[] sorted, double q) {
    double at = q * (sorted.length - 1);
    int lo = (int) Math.floor(at);
    int hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (at - lo) * (sorted[hi] - sorted[lo]);
  }

  private static Pass pass(Path trace, Pass.Kind kind, PrintWriter perBlock) throws IOException {
    return pass(trace, kind, perBlock, 1);
  }

  private static Pass pass(Path trace, Pass.Kind kind, PrintWriter perBlock, int number) throws IOException {
    Pass p = new Pass(kind, perBlock, number);
    try (TraceReader reader = new TraceReader(trace)) {
      while (reader.next(p)) {
        // the pass does the work
      }
    }
    p.endIntake();
    p.check();
    afterEachPass.run();
    return p;
  }

  /** One replay of the trace. */
  private static final class Pass implements TraceReader.Visitor {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** A full replay; the same with a full collection between intake and blocks; the intake alone, for the heap. */
    enum Kind { FULL, SETTLED, HEAP }

    private final Kind kind;
    private final PrintWriter perBlock;
    /** Which measured pass this is, from 1: on each per-block line. */
    private final int number;
    private ChainSource source;
    private ReplayCarrier carrier;
    private final CountingListener listener = new CountingListener();
    private TrackerStore store;
    /** The store's block-time calls timed, as the carrier's are; null in the heap pass. */
    private TimedStore timedStore;
    private Responder responder;

    private long heapBefore = -1;
    double heapPerTracker = Double.NaN;
    private long intakeStart = -1;
    private long intakeEnd = -1;
    private long intakeNanos;
    private int trackers = -1;
    private final List<Double> blockMs = new ArrayList<>();
    /** The replay thread's CPU time per block: what a shared, loaded machine does not inflate. */
    private final List<Double> blockCpuMs = new ArrayList<>();
    /**
     * The CPU time of the process's other threads during each block's {@code onBlock}: the collector's
     * (its refinement of the cards the block dirtied among it), the compiler's.
     */
    private final List<Double> blockOtherCpuMs = new ArrayList<>();
    /** The replay carrier's own time during each block's {@code onBlock}: the stand-in node's work. */
    private final List<Double> blockCarrierMs = new ArrayList<>();
    /** The store's own time during each block's {@code onBlock}: its commit and its reads. */
    private final List<Double> blockStoreMs = new ArrayList<>();
    private final List<Long> blockCalls = new ArrayList<>();
    /** Per block: listener events (one per tracker) and, of them, rebroadcasts. */
    private final List<long[]> blockChanges = new ArrayList<>();
    private long carrierCalls;
    private long completed;
    private long expired;
    private long rebroadcasts;

    Pass(Kind kind, PrintWriter perBlock, int number) {
      this.kind = kind;
      this.perBlock = perBlock;
      this.number = number;
    }

    @Override
    public void start(BlockRef start) {
      source = new ChainSource(start);
      carrier = countingCarrier ? ReplayCarrier.counting(source) : new ReplayCarrier(source, kind != Kind.HEAP);
      if (kind == Kind.HEAP) {
        store = new DiscardingStore();
      } else {
        timedStore = new TimedStore(new InMemoryTrackerStore());
        store = timedStore;
      }
      responder = Responder.builder().carrier(carrier).blockSource(source).store(store).listener(listener).start();
    }

    @Override
    public void confirmed(Txid txid, int height) {
      carrier.minedBeforeStart(txid, height);
    }

    @Override
    public void breach(Breach.Builder breach) {
      if (intakeStart < 0) {
        if (kind == Kind.HEAP) {
          heapBefore = Heap.usedAfterGc();
        }
        intakeStart = System.nanoTime();
      }
      long t0 = System.nanoTime();
      responder.handleBreach(breach.build());
      intakeNanos += System.nanoTime() - t0;
    }

    @Override
    public void block(Block block) {
      endIntake();
      if (kind == Kind.HEAP) {
        return;
      }
      beforeEachBlock.run();
      try {
        measure(block);
      } finally {
        afterEachBlock.run();
      }
    }

    private void measure(Block block) {
      source.handed(block);
      carrier.mined(block);
      long calls0 = carrier.calls();
      long carrierNanos0 = carrier.nanos();
      long storeNanos0 = timedStore.nanos();
      long completed0 = listener.completed;
      long expired0 = listener.expired;
      long rebroadcast0 = listener.rebroadcast;
      long confirmed0 = listener.confirmed;
      long process0 = ProcessCpu.nanos();
      long cpu0 = THREADS.getCurrentThreadCpuTime();
      long startMillis = System.currentTimeMillis();
      long t0 = System.nanoTime();
      responder.onBlock(block);
      double ms = (System.nanoTime() - t0) / 1e6;
      long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
      blockCpuMs.add(cpu / 1e6);
      blockOtherCpuMs.add((ProcessCpu.nanos() - process0 - cpu) / 1e6);
      blockCarrierMs.add((carrier.nanos() - carrierNanos0) / 1e6);
      blockStoreMs.add((timedStore.nanos() - storeNanos0) / 1e6);
      long calls = carrier.calls() - calls0;
      blockMs.add(ms);
      blockCalls.add(calls);
      carrierCalls += calls;
      completed += listener.completed - completed0;
      expired += listener.expired - expired0;
      rebroadcasts += listener.rebroadcast - rebroadcast0;
      long resent = listener.rebroadcast - rebroadcast0;
      long changed = resent + listener.confirmed - confirmed0 + listener.completed - completed0 + listener.expired - expired0;
      blockChanges.add(new long[] {changed, resent});
      if (perBlock != null) {
        long left = listener.added - listener.completed - listener.expired - listener.rejected;
        perBlock.printf(Locale.ROOT, "{\"height\":%d,\"start_ms\":%d,\"ms\":%.3f,\"carrier_calls\":%d,\"trackers_left\":%d,"
                + "\"completed\":%d,\"expired\":%d,\"rebroadcast\":%d,\"confirmed_total\":%d,\"carrier_ms\":%.3f,"
                + "\"store_ms\":%.3f,\"cpu_ms\":%.3f,\"other_cpu_ms\":%.3f,\"changed\":%d,\"pass\":%d}%n", block.height(),
            startMillis, ms, calls, left, listener.completed - completed0, listener.expired - expired0,
            listener.rebroadcast - rebroadcast0, listener.confirmed, blockCarrierMs.get(blockCarrierMs.size() - 1),
            blockStoreMs.get(blockStoreMs.size() - 1),
            blockCpuMs.get(blockCpuMs.size() - 1), blockOtherCpuMs.get(blockOtherCpuMs.size() - 1), changed, number);
      }
    }

    void endIntake() {
      if (trackers >= 0) {
        return;
      }
      intakeEnd = System.nanoTime();
      if (kind == Kind.HEAP && heapBefore >= 0) {
        long after = Heap.usedAfterGc();
        trackers = responder.trackerCount();
        heapPerTracker = (after - heapBefore) / (double) Math.max(1, trackers);
        Reference.reachabilityFence(responder);
      } else {
        trackers = responder == null ? 0 : responder.trackerCount();
        if (kind == Kind.SETTLED) {
          Heap.usedAfterGc(); // outside the timing: the blocks run on a heap whose trackers are old
        }
      }
    }

    /** The listener's count must agree with the Responder's at the end. */
    void check() {
      if (kind == Kind.HEAP || responder == null) {
        return;
      }
      long left = listener.added - listener.completed - listener.expired - listener.rejected;
      if (left != responder.trackerCount()) {
        throw new IllegalStateException("listener counts " + left + " trackers, the Responder " + responder.trackerCount());
      }
    }

    String summary(double heapBytesPerTracker, int warmups) {
      double plainMs = 0;
      double plainCpuMs = 0;
      double plainCarrierMs = 0;
      double plainStoreMs = 0;
      long plainChanged = 0;
      double resendMs = 0;
      double resendCpuMs = 0;
      double resendCarrierMs = 0;
      double plainOtherMs = 0;
      double resendOtherMs = 0;
      int plainBlocks = 0;
      long resent = 0;
      for (int i = 0; i < blockMs.size(); i++) {
        long[] c = blockChanges.get(i);
        if (c[1] > 0 && 2 * c[1] >= c[0]) {
          resendMs += blockMs.get(i);
          resendCpuMs += blockCpuMs.get(i);
          resendCarrierMs += blockCarrierMs.get(i);
          resendOtherMs += blockOtherCpuMs.get(i);
          resent += c[1];
        } else {
          plainMs += blockMs.get(i);
          plainCpuMs += blockCpuMs.get(i);
          plainCarrierMs += blockCarrierMs.get(i);
          plainStoreMs += blockStoreMs.get(i);
          plainOtherMs += blockOtherCpuMs.get(i);
          plainBlocks++;
          plainChanged += c[0];
        }
      }
      double[] cpuWithoutCarrier = new double[blockCpuMs.size()];
      for (int i = 0; i < cpuWithoutCarrier.length; i++) {
        cpuWithoutCarrier[i] = blockCpuMs.get(i) - blockCarrierMs.get(i);
      }
      Arrays.sort(cpuWithoutCarrier);
      double[] cpuResponderOnly = new double[blockCpuMs.size()];
      for (int i = 0; i < cpuResponderOnly.length; i++) {
        cpuResponderOnly[i] = blockCpuMs.get(i) - blockCarrierMs.get(i) - blockStoreMs.get(i);
      }
      Arrays.sort(cpuResponderOnly);
      double[] storeMs = blockStoreMs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      double[] carrierMs = blockCarrierMs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      double[] cpu = blockCpuMs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      double[] ms = blockMs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      long[] calls = blockCalls.stream().mapToLong(Long::longValue).sorted().toArray();
      int blocks = ms.length;
      double intakeS = intakeNanos / 1e9;
      double parseS = intakeStart < 0 ? 0 : (intakeEnd - intakeStart - intakeNanos) / 1e9;
      long left = listener.added - listener.completed - listener.expired - listener.rejected;
      return String.format(Locale.ROOT,
          "trackers=%d blocks=%d onblock_ms_median=%.3f onblock_ms_max=%.3f intake_s=%.3f carrier_calls_per_block=%.1f"
              + " heap_bytes_per_tracker=%.0f completed=%d expired=%d rebroadcasts=%d"
              + " onblock_ms_p90=%.3f onblock_ms_mean=%.3f carrier_calls_per_block_median=%.1f intake_us_per_breach=%.2f"
              + " intake_parse_s=%.3f trackers_left=%d disconnected=%d us_per_changed_tracker=%.3f"
              + " us_per_rebroadcast_tracker=%.3f changed_trackers_plain_blocks=%d rebroadcast_trackers=%d warmups=%d"
              + " onblock_cpu_ms_median=%.3f onblock_cpu_ms_max=%.3f cpu_us_per_changed_tracker=%.3f"
              + " cpu_us_per_rebroadcast_tracker=%.3f carrier_ms_median=%.3f carrier_ms_max=%.3f"
              + " onblock_cpu_ms_median_without_carrier=%.3f cpu_us_per_changed_tracker_without_carrier=%.3f"
              + " cpu_us_per_rebroadcast_tracker_without_carrier=%.3f other_threads_cpu_ms_per_plain_block=%.1f"
              + " other_threads_cpu_ms_per_rebroadcast_block=%.1f store_ms_median=%.3f"
              + " onblock_cpu_ms_median_without_carrier_and_store=%.3f"
              + " cpu_us_per_changed_tracker_without_carrier_and_store=%.3f",
          trackers, blocks, median(ms), blocks == 0 ? 0 : ms[blocks - 1], intakeS,
          blocks == 0 ? 0 : carrierCalls / (double) blocks, heapBytesPerTracker, completed, expired, rebroadcasts,
          percentile(ms, 0.9), Arrays.stream(ms).average().orElse(0), medianOf(calls),
          trackers <= 0 ? 0 : intakeNanos / 1e3 / Math.max(1, listener.added), parseS, left, listener.disconnected,
          plainChanged == 0 ? 0 : plainMs * 1000 / plainChanged, resent == 0 ? 0 : resendMs * 1000 / resent,
          plainChanged, resent, warmups, median(cpu), blocks == 0 ? 0 : cpu[blocks - 1],
          plainChanged == 0 ? 0 : plainCpuMs * 1000 / plainChanged, resent == 0 ? 0 : resendCpuMs * 1000 / resent,
          median(carrierMs), blocks == 0 ? 0 : carrierMs[blocks - 1], median(cpuWithoutCarrier),
          plainChanged == 0 ? 0 : (plainCpuMs - plainCarrierMs) * 1000 / plainChanged,
          resent == 0 ? 0 : (resendCpuMs - resendCarrierMs) * 1000 / resent,
          plainBlocks == 0 ? 0 : plainOtherMs / plainBlocks,
          blocks == plainBlocks ? 0 : resendOtherMs / (blocks - plainBlocks), median(storeMs),
          median(cpuResponderOnly),
          plainChanged == 0 ? 0 : (plainCpuMs - plainCarrierMs - plainStoreMs) * 1000 / plainChanged);
    }

    private static double median(double[] sorted) {
      return sorted.length == 0 ? 0 : quantile(sorted, 0.5);
    }

    private static double medianOf(long[] sorted) {
      int n = sorted.length;
      if (n == 0) {
        return 0;
      }
      return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }

    private static double percentile(double[] sorted, double q) {
      if (sorted.length == 0) {
        return 0;
      }
      int i = (int) Math.ceil(q * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
  }
}
