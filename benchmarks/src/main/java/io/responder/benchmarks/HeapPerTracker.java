package io.responder.benchmarks;

import io.responder.core.Block;
import io.responder.core.BlockRef;
import io.responder.core.Responder;
import io.responder.core.TrackerStore;
import io.responder.store.inmemory.InMemoryTrackerStore;
import java.lang.ref.Reference;
import java.util.List;
import java.util.Locale;

/**
 * Heap retained per tracker: hands {@code --trackers} breaches (default 1,000,000) to a Responder and
 * compares the used heap after full collections before and after.
 *
 * <p>With {@code --store discard} (the default) the store keeps nothing, so the difference is the
 * Responder's own structures only: its penalty index, per-penalty groups, uuids, txids, schedules,
 * and the receipt cache of the current block interval; no raw transaction (those live in the store).
 * It is printed twice: right after the breaches, and after one more (empty) block has started a new
 * interval and so emptied the receipt cache. With {@code --store inmemory} the in-memory store is
 * included, for comparison. Breaches are generated one at a time and not kept, so nothing else grows.
 * {@code --hold} waits for Enter before exiting, so that {@code jcmd PID GC.class_histogram} can be
 * taken.
 */
public final class HeapPerTracker {
  private HeapPerTracker() {}

  /**
   * Runs the measurement.
   *
   * @param args {@code [--trackers N] [--store discard|inmemory] [--hold]}
   * @throws Exception if reading standard input fails
   */
  public static void main(String[] args) throws Exception {
    int trackers = 1_000_000;
    String storeKind = "discard";
    boolean hold = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--trackers" -> trackers = Integer.parseInt(args[++i].replace("_", "").replace(",", ""));
        case "--store" -> storeKind = args[++i];
        case "--hold" -> hold = true;
        default -> throw new IllegalArgumentException("usage: HeapPerTracker [--trackers N] [--store discard|inmemory] [--hold]");
      }
    }
    int startHeight = 800_000;
    BlockRef start = new BlockRef(SyntheticBreaches.blockHash(4, startHeight), startHeight);
    ChainSource source = new ChainSource(start);
    TrackerStore store = switch (storeKind) {
      case "discard" -> new DiscardingStore();
      case "inmemory" -> new InMemoryTrackerStore();
      default -> throw new IllegalArgumentException("--store discard|inmemory");
    };
    Responder responder = Responder.builder().carrier(new CountingCarrier()).blockSource(source).store(store).start();
    SyntheticBreaches breaches = new SyntheticBreaches(4);
    long before = Heap.usedAfterGc();

    for (int i = 0; i < trackers; i++) {
      // As in the trace generator: 5% of the subscriptions end soon after the start.
      int end = i % 20 == 0 ? startHeight + 1 + i % 19 : -1;
      responder.handleBreach(breaches.breach(i, start.hash(), end));
    }
    long afterBreaches = Heap.usedAfterGc();

    Block next = new Block(SyntheticBreaches.blockHash(4, startHeight + 1), start.hash(), startHeight + 1, List.of());
    source.handed(next);
    responder.onBlock(next);
    long afterBlock = Heap.usedAfterGc();
    int count = responder.trackerCount();

    System.out.printf(Locale.ROOT, "store=%s trackers=%d heap_bytes_per_tracker=%.1f heap_bytes_per_tracker_next_block=%.1f"
            + " heap_mb_after_breaches=%.1f%n", storeKind, count, (afterBreaches - before) / (double) trackers,
        (afterBlock - before) / (double) count, (afterBreaches - before) / 1e6);
    if (hold) {
      System.out.println("pid " + ProcessHandle.current().pid() + ": press Enter to exit");
      System.in.read();
    }
    Reference.reachabilityFence(responder);
    Reference.reachabilityFence(store);
  }
}
