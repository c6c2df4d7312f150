package io.responder.benchmarks;

import io.responder.bitcoind.BitcoindRpc;
import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.Breach;
import io.responder.core.BreachReceipt;
import io.responder.core.BroadcastResult;
import io.responder.core.Carrier;
import io.responder.core.Locator;
import io.responder.core.PackageResult;
import io.responder.core.RawTransaction;
import io.responder.core.Responder;
import io.responder.core.StatusQuery;
import io.responder.core.StoreUpdate;
import io.responder.core.TrackerState;
import io.responder.core.TransactionPackage;
import io.responder.core.TxStatus;
import io.responder.core.Txid;
import io.responder.store.inmemory.InMemoryTrackerStore;
import io.responder.store.jdbc.JdbcTrackerStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.sqlite.SQLiteDataSource;

/**
 * The node path on a real regtest bitcoind (issue 13, part 2), printed, never asserted.
 *
 * <p><b>Rebroadcast storms.</b> For 1,000 and 10,000 penalties (real, signed, spending mined
 * disputes with keys the node's wallet does not own): a Responder on {@code responder-bitcoind-rpc}
 * and an in-memory store takes every breach at one height; the node is restarted with an empty
 * mempool ({@code -persistmempool=0}), so it has lost every penalty; then empty blocks are mined
 * ({@code generateblock ADDR []}) and handed to {@code onBlock} one by one (each fetched untimed
 * first, as the host's poller would), until the block at which every penalty has missed its 6
 * blocks and is sent again. That block's {@code onBlock} wall time is reported twice: with the
 * library's carrier as it is (a block's sends as JSON-RPC batches, {@code BitcoindCarrier.broadcastAll})
 * and with a wrapper whose {@code broadcastAll} is the {@link Carrier} interface's looping default
 * (one request per penalty). Beside them, bitcoind's own time to accept the same set from an empty
 * mempool: {@code sendrawtransaction} one by one over one kept-alive connection of the JDK's
 * {@code HttpClient} (request bodies built before the clock starts: the floor), and all of them as
 * one JSON-RPC batch request.
 * After each run the node's mempool is checked to hold exactly the set.
 *
 * <p><b>Expiry blocks.</b> For 1,000 and 10,000 penalties in the node's mempool whose subscriptions
 * end at one height: the {@code onBlock} wall time of that block, where the Responder asks the node
 * about every penalty before its trackers expire (and sends none, since the node holds them all),
 * with the library's carrier ({@code BitcoindCarrier.statusAll}: a few JSON-RPC batches) and with
 * the {@link Carrier} interface's looping default (one {@code status} per penalty, itself one to
 * three requests).
 *
 * <p><b>Reorganisations.</b> For 1,000 and 10,000 penalties in the node's mempool: the blocks of their
 * disputes are taken off by a longer branch of empty blocks ({@code invalidateblock}, then
 * {@code generateblock}), and the {@code onBlock} wall time of the branch's tip, which finds the fork
 * and gives the node back every dispute and penalty, is reported with the library's carrier (a
 * batch of disputes, then one of penalties) and with the looping default (a round trip each).
 *
 * <p><b>Penalties at risk.</b> For 1,000 and 10,000 penalties in the node's mempool whose deadlines
 * are a few blocks ahead, left out of the empty blocks mined: the {@code onBlock} wall time of a
 * block inside their window, where the Responder sends every one of them again, with the library's
 * carrier (one {@code broadcastAll}) and with the looping default (a round trip each).
 *
 * <p><b>Storms of penalties with fee ladders.</b> The storm above with every breach given a second
 * rung (the pair's variant, paying a higher fee): the storm block sends each penalty's second rung,
 * in one {@code broadcastAll} or one round trip each.
 *
 * <p><b>A catch-up through blocks that mined the penalties.</b> For 1,000 penalties: the Responder is
 * away while the node mines the block where they are due again and the blocks that hold them; its
 * catch-up sends them, hears that each is already in the node's chain, and finds where.
 *
 * <p><b>Intake on SQLite.</b> 10,000 breaches handed to a Responder on {@code JdbcTrackerStore}
 * (a new SQLite file) and the real node, twice: over a plain {@code SQLiteDataSource} (every read
 * opens a connection) and over the smallest connection pool (reads reuse one): breaches per second,
 * and where the time goes: building the {@link Breach} (its validation: the penalty is parsed and hashed), the carrier (the
 * {@code sendrawtransaction} round trip), the store ({@code find} of the uuid, {@code commit} of the
 * tracker), and the rest (the Responder's own work).
 *
 * <p>Run from the repository root after {@code ./mvnw -q install -DskipTests}:
 * {@code RESPONDER_BITCOIND=/path/to/bitcoind java -cp benchmarks/target/benchmarks.jar
 * io.responder.benchmarks.NodeStormBenchmark}. Without {@code RESPONDER_BITCOIND} it prints that it
 * is skipped and exits. Options: {@code --storms 1000,10000} (0: none), {@code --expiries 1000,10000}
 * (0: none), {@code --reorgs 1000,10000} (0: none), {@code --at-risk 1000,10000} (0: none),
 * {@code --ladder-storms 1000,10000} (0: none), {@code --catch-ups 1000} (0: none), {@code --intake 10000} (0: none),
 * {@code --rounds 1} (measurements per storm size). The node's data directory is a temporary
 * directory, deleted at the end.
 */
public final class NodeStormBenchmark {
  /** Any valid compressed public key names the user on regtest. */
  private static final String USER = "02" + "11".repeat(32);
  /** More empty blocks than the 6 a penalty must miss: a storm that never comes is an error. */
  private static final int MAX_EMPTY_BLOCKS = 10;

  private final RegtestProcess node;
  private final RegtestPenalties maker;
  private final PrintStream out;
  private int reorgRuns;

  private NodeStormBenchmark(RegtestProcess node, RegtestPenalties maker, PrintStream out) {
    this.node = node;
    this.maker = maker;
    this.out = out;
  }

  /**
   * Runs the benchmark, or says it is skipped when {@code RESPONDER_BITCOIND} is unset.
   *
   * @param args {@code --storms N,M,...}, {@code --intake N}, {@code --rounds N}
   * @throws IOException if the node's data directory cannot be made or removed
   * @throws SQLException if the intake's SQLite connections cannot be closed
   */
  public static void main(String[] args) throws IOException, SQLException {
    run(System.getenv(), args, System.out);
  }

  /** The benchmark with the given environment, printing to {@code out}. */
  static void run(Map<String, String> env, String[] args, PrintStream out) throws IOException, SQLException {
    int[] storms = {1_000, 10_000};
    int[] expiries = {1_000, 10_000};
    int[] reorgs = {1_000, 10_000};
    int[] atRisk = {1_000, 10_000};
    int[] ladderStorms = {1_000, 10_000};
    int[] catchUps = {1_000};
    int intake = 10_000;
    int rounds = 1;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--storms" -> storms = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).filter(n -> n > 0).toArray();
        case "--expiries" -> expiries = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).filter(n -> n > 0).toArray();
        case "--reorgs" -> reorgs = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).filter(n -> n > 0).toArray();
        case "--at-risk" -> atRisk = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).filter(n -> n > 0).toArray();
        case "--ladder-storms" -> ladderStorms = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt)
            .filter(n -> n > 0).toArray();
        case "--catch-ups" -> catchUps = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt)
            .filter(n -> n > 0).toArray();
        case "--intake" -> intake = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + " (expected --storms N,M,..., --expiries N,M,..., --reorgs N,M,..., --at-risk N,M,...,"
            + " --ladder-storms N,M,..., --catch-ups N,M,..., --intake N, --rounds N)");
      }
    }
    Optional<Path> binary = RegtestProcess.binaryFrom(env);
    if (binary.isEmpty()) {
      out.println("Real-node benchmark: skipped (" + RegtestProcess.BINARY_VARIABLE
          + " is not set; point it at a bitcoind, Bitcoin Core 28 or later)");
      return;
    }
    int shared = Math.max(intake, Arrays.stream(new int[][] {storms, expiries, reorgs, atRisk, ladderStorms})
        .flatMapToInt(Arrays::stream).max().orElse(0));
    // A catch-up has the node mine its penalties for good: each run gets pairs of its own.
    int needed = shared + rounds * Arrays.stream(catchUps).sum();
    Path dir = Files.createTempDirectory("responder-node-bench");
    try (RegtestProcess node = RegtestProcess.start(binary.get(), dir.resolve("node"))) {
      out.printf(Locale.ROOT, "Real-node benchmark (%d cores, Java %s, %s)%n",
          Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
          node.rpc().object("getnetworkinfo").get("subversion"));
      long t = System.nanoTime();
      RegtestPenalties maker = RegtestPenalties.prepare(node.rpc());
      List<RegtestPenalties.Pair> pairs = maker.make(needed);
      out.printf(Locale.ROOT, "  made %,d disputes (mined) and their penalties (signed, not sent) in %.1f s%n",
          pairs.size(), seconds(System.nanoTime() - t));
      NodeStormBenchmark bench = new NodeStormBenchmark(node, maker, out);
      // First, while the disputes' blocks are the node's top blocks: a reorganisation takes them off.
      each(reorgs, rounds, pairs, some -> bench.reorg(pairs, some.size()));
      each(storms, rounds, pairs, bench::storm);
      each(expiries, rounds, pairs, bench::expiry);
      each(atRisk, rounds, pairs, bench::atRisk);
      each(ladderStorms, rounds, pairs, bench::ladderStorm);
      int unused = shared;
      for (int n : catchUps) {
        for (int r = 0; r < rounds; r++) {
          bench.catchUp(pairs.subList(unused, unused + n));
          unused += n;
        }
      }
      if (intake > 0) {
        bench.intake(pairs.subList(0, intake), dir.resolve("intake.db"), false);
        bench.intake(pairs.subList(0, intake), dir.resolve("intake-pooled.db"), true);
      }
    } finally {
      deleteRecursively(dir);
    }
  }

  /** One kind of measurement, on the first n pairs. */
  @FunctionalInterface
  private interface Scenario {
    void run(List<RegtestPenalties.Pair> some) throws IOException;
  }

  /** Runs {@code scenario} {@code rounds} times on the first n pairs, for each n of {@code sizes}. */
  private static void each(int[] sizes, int rounds, List<RegtestPenalties.Pair> pairs, Scenario scenario) throws IOException {
    for (int n : sizes) {
      for (int r = 0; r < rounds; r++) {
        scenario.run(pairs.subList(0, n));
      }
    }
  }

  // --- storms ----------------------------------------------------------------------------------

  private void storm(List<RegtestPenalties.Pair> pairs) throws IOException {
    int n = pairs.size();
    out.printf(Locale.ROOT, "== rebroadcast storm of %,d penalties%n", n);
    List<String> hexes = pairs.stream().map(p -> p.penalty().hex()).toList();

    node.restart();
    long floorLoop = node.rpc().sendOneByOne(hexes);
    expectMempool(n);
    out.printf(Locale.ROOT, "  floor, sendrawtransaction one by one (one kept-alive connection, JDK HttpClient): %.1f ms (%.1f us each)%n",
        millis(floorLoop), micros(floorLoop) / n);

    node.restart();
    byte[] body = RegtestRpc.batchBody("sendrawtransaction", hexes.stream().map(h -> List.<Object>of(h)).toList());
    long t = System.nanoTime();
    node.rpc().postBatch("sendrawtransaction", body);
    long floorBatch = System.nanoTime() - t;
    expectMempool(n);
    out.printf(Locale.ROOT, "  floor, one JSON-RPC batch of %,d calls (%,d bytes): %.1f ms (%.1f us each)%n",
        n, body.length, millis(floorBatch), micros(floorBatch) / n);

    BlockRun batched = stormRun(pairs, true, false);
    BlockRun oneByOne = stormRun(pairs, false, false);
    out.printf(Locale.ROOT, "  batched ratios: onBlock / floor one by one = %.2f, onBlock / floor one batch = %.2f;"
        + " one by one / batched = %.2f%n",
        (double) batched.onBlockNanos / floorLoop, (double) batched.onBlockNanos / floorBatch,
        (double) oneByOne.onBlockNanos / batched.onBlockNanos);
    out.printf(Locale.ROOT, "  row: n=%d floor_loop_ms=%.1f floor_batch_ms=%.1f batched_onblock_ms=%.1f"
        + " one_by_one_onblock_ms=%.1f batched_over_floor_loop=%.2f batched_over_floor_batch=%.2f"
        + " one_by_one_over_batched=%.2f batched_carrier_ms=%.1f one_by_one_carrier_ms=%.1f%n",
        n, millis(floorLoop), millis(floorBatch), millis(batched.onBlockNanos), millis(oneByOne.onBlockNanos),
        (double) batched.onBlockNanos / floorLoop, (double) batched.onBlockNanos / floorBatch,
        (double) oneByOne.onBlockNanos / batched.onBlockNanos, millis(batched.carrierNanos),
        millis(oneByOne.carrierNanos));
  }

  /**
   * The same storm of penalties with fee ladders of two rungs: each is sent again as its second
   * rung, which pays a higher fee.
   */
  private void ladderStorm(List<RegtestPenalties.Pair> pairs) throws IOException {
    int n = pairs.size();
    out.printf(Locale.ROOT, "== rebroadcast storm of %,d penalties with fee ladders%n", n);
    compare(n, "ladder-storm", batched -> stormRun(pairs, batched, true));
  }

  /** The {@code onBlock} wall time of the block measured, and the carrier's share of it. */
  private record BlockRun(long onBlockNanos, long carrierNanos) {}

  /** The library on a freshly restarted node, its carrier measured, and a Responder on them with an in-memory store. */
  private record Tower(BitcoindRpc library, MeasuredCarrier carrier, Responder responder) {}

  private Tower freshTower(boolean batched) throws IOException {
    node.restart();
    BitcoindRpc library = BitcoindRpc.create(node.config());
    MeasuredCarrier carrier = new MeasuredCarrier(library.carrier(), batched);
    Responder responder = Responder.builder()
        .carrier(carrier)
        .blockSource(library.blockSource())
        .store(new InMemoryTrackerStore())
        .start();
    return new Tower(library, carrier, responder);
  }

  /** A fresh tower that took the breach {@code breach} makes of each pair at its tip; the node holds every penalty. */
  private Tower towerWith(List<RegtestPenalties.Pair> pairs, boolean batched,
      BiFunction<RegtestPenalties.Pair, BlockRef, Breach> breach) throws IOException {
    Tower tower = freshTower(batched);
    BlockRef tip = tower.responder().tip();
    for (RegtestPenalties.Pair p : pairs) {
      expectAccepted(tower.responder().handleBreach(breach.apply(p, tip)));
    }
    expectMempool(pairs.size());
    return tower;
  }

  /** Mines an empty block and fetches it, untimed, as the host's poller would. */
  private Block mineEmpty(BitcoindRpc library) {
    return mineEmpty(library, maker.minerAddress());
  }

  /** The same, paying the block's coinbase to {@code address}. */
  private Block mineEmpty(BitcoindRpc library, String address) {
    String hash = (String) node.rpc().object("generateblock", address, List.of()).get("hash");
    return library.blockSource().block(BlockHash.fromHex(hash));
  }

  /**
   * One storm: breaches accepted at one height, the node restarted without them, then empty blocks
   * until every penalty is due again. With {@code ladders}, each breach has the pair's variant as a
   * second rung, and the storm sends the variants.
   */
  private BlockRun stormRun(List<RegtestPenalties.Pair> pairs, boolean batched, boolean ladders) throws IOException {
    int n = pairs.size();
    Tower tower = freshTower(batched);
    BitcoindRpc library = tower.library();
    MeasuredCarrier carrier = tower.carrier();
    Responder responder = tower.responder();
    BlockHash seen = responder.tip().hash();
    List<Breach> breaches = pairs.stream()
        .map(p -> ladders ? builder(p, seen).addPenaltyVariant(p.variant().hex()).build() : breach(p, seen)).toList();
    long t = System.nanoTime();
    for (Breach b : breaches) {
      expectAccepted(responder.handleBreach(b));
    }
    long intake = System.nanoTime() - t;
    expectMempool(n);

    node.restart(); // the node forgets every penalty; only the Responder can put them back
    expectMempool(0);
    library.blockSource().bestBlock(); // a new connection to the restarted node, outside the timing
    for (int i = 1; i <= MAX_EMPTY_BLOCKS; i++) {
      Timed timed = timeBlock(responder, carrier, mineEmpty(library));
      if (timed.sent() == 0) {
        continue;
      }
      if (timed.sent() != n || carrier.accepted != 2L * n) {
        throw new IllegalStateException("the storm block sent " + timed.sent() + " of " + n + " penalties; accepted in all: "
            + carrier.accepted + " of " + 2 * n);
      }
      expectMempool(n);
      out.printf(Locale.ROOT, "  intake before the storm block (%d empty blocks after acceptance): %.1f ms%n", i,
          millis(intake));
      return printRun("the storm block", batched, "broadcastAll", "broadcast", n, timed);
    }
    throw new IllegalStateException("no storm within " + MAX_EMPTY_BLOCKS + " empty blocks");
  }

  // --- expiries --------------------------------------------------------------------------------

  private void expiry(List<RegtestPenalties.Pair> pairs) throws IOException {
    int n = pairs.size();
    out.printf(Locale.ROOT, "== expiry block of %,d penalties in the node's mempool%n", n);
    compare(n, "", batched -> expiryRun(pairs, batched));
  }

  /** A way of running one measured block, batched or through the looping defaults. */
  @FunctionalInterface
  private interface MeasuredBlock {
    BlockRun run(boolean batched) throws IOException;
  }

  /**
   * Prints one measured block: its time, the carrier's share in {@code requests} calls of
   * {@code batchCall} (batched) or {@code singleCall} (one by one), and the rest.
   */
  private BlockRun printRun(String block, boolean batched, String batchCall, String singleCall, int n, Timed timed) {
    out.printf(Locale.ROOT, "  %s: onBlock of %s: %.1f ms (%.1f us a penalty; carrier %.1f ms in %,d %s calls,"
        + " the rest %.1f ms)%n",
        batched ? "batched (BitcoindCarrier." + batchCall + ")" : "one by one (Carrier's looping default)", block,
        millis(timed.onBlockNanos()), micros(timed.onBlockNanos()) / n, millis(timed.carrierNanos()), timed.requests(),
        batched ? batchCall : singleCall, millis(timed.onBlockNanos() - timed.carrierNanos()));
    return new BlockRun(timed.onBlockNanos(), timed.carrierNanos());
  }

  /** One {@code onBlock} timed, and what the carrier did meanwhile. */
  private record Timed(long onBlockNanos, long carrierNanos, long sent, long asked, long requests) {}

  private static Timed timeBlock(Responder responder, MeasuredCarrier carrier, Block block) {
    long sent = carrier.sent;
    long asked = carrier.asked;
    long nanos = carrier.nanos;
    long requests = carrier.requests;
    long start = System.nanoTime();
    responder.onBlock(block);
    long onBlock = System.nanoTime() - start;
    return new Timed(onBlock, carrier.nanos - nanos, carrier.sent - sent, carrier.asked - asked, carrier.requests - requests);
  }

  /** Runs {@code block} batched, then one by one, and prints the row comparing them. */
  private void compare(int n, String label, MeasuredBlock block) throws IOException {
    BlockRun batched = block.run(true);
    BlockRun oneByOne = block.run(false);
    out.printf(Locale.ROOT, "  row: n=%d %sbatched_onblock_ms=%.1f one_by_one_onblock_ms=%.1f one_by_one_over_batched=%.2f"
        + " batched_carrier_ms=%.1f one_by_one_carrier_ms=%.1f%n",
        n, label.isEmpty() ? "" : label + " ", millis(batched.onBlockNanos), millis(oneByOne.onBlockNanos),
        (double) oneByOne.onBlockNanos / batched.onBlockNanos, millis(batched.carrierNanos), millis(oneByOne.carrierNanos));
  }

  /**
   * One expiry block: breaches accepted at one height whose subscriptions end two blocks later, their
   * penalties left in the node's mempool; then empty blocks until their trackers expire. Before they
   * do, the Responder asks the node about each penalty; the node holds them all, so nothing is sent.
   */
  private BlockRun expiryRun(List<RegtestPenalties.Pair> pairs, boolean batched) throws IOException {
    int n = pairs.size();
    Tower tower = towerWith(pairs, batched, (p, tip) -> breach(p, tip.hash(), tip.height() + 2));
    BitcoindRpc library = tower.library();
    MeasuredCarrier carrier = tower.carrier();
    Responder responder = tower.responder();
    for (int i = 1; i <= MAX_EMPTY_BLOCKS; i++) {
      Timed timed = timeBlock(responder, carrier, mineEmpty(library));
      if (responder.trackerCount() == n) {
        continue;
      }
      if (responder.trackerCount() != 0 || timed.sent() != 0 || timed.asked() != n) {
        throw new IllegalStateException("the expiry block left " + responder.trackerCount() + " trackers, sent "
            + timed.sent() + " penalties and asked about " + timed.asked() + " of " + n);
      }
      expectMempool(n);
      return printRun("the expiry block", batched, "statusAll", "status", n, timed);
    }
    throw new IllegalStateException("no expiry within " + MAX_EMPTY_BLOCKS + " empty blocks");
  }

  // --- penalties at risk ------------------------------------------------------------------------

  private void atRisk(List<RegtestPenalties.Pair> pairs) throws IOException {
    int n = pairs.size();
    out.printf(Locale.ROOT, "== block with %,d penalties at risk, in the node's mempool%n", n);
    compare(n, "at-risk", batched -> atRiskRun(pairs, batched));
  }

  /**
   * One block with every penalty inside its deadline window: breaches accepted with a deadline a few
   * blocks ahead (their disputes are mined), their penalties in the node's mempool but left out of
   * the empty blocks mined, so the Responder sends each of them again on every block. The second
   * empty block is measured (the first opens the window and tells the host).
   */
  private BlockRun atRiskRun(List<RegtestPenalties.Pair> pairs, boolean batched) throws IOException {
    int n = pairs.size();
    Tower tower = towerWith(pairs, batched, (p, tip) -> builder(p, tip.hash()).deadlineHeight(tip.height() + 6).build());
    tower.responder().onBlock(mineEmpty(tower.library())); // the window opens: the host is told
    Timed timed = timeBlock(tower.responder(), tower.carrier(), mineEmpty(tower.library()));
    if (timed.sent() != n) {
      throw new IllegalStateException("the block with " + n + " penalties at risk sent " + timed.sent());
    }
    expectMempool(n);
    return printRun("a block with every penalty at risk", batched, "broadcastAll", "broadcast", n, timed);
  }

  // --- a catch-up through blocks that mined the penalties ------------------------------------------

  /**
   * A Responder five blocks into its penalties' count, then away while the node mines a sixth empty
   * block, blocks holding every penalty, and one more; handed the node's tip, it catches up. On the
   * sixth block every penalty is due and sent again, and the node answers that each is already in
   * its chain, without saying where: the Responder looks for it in the node's last blocks. The
   * {@code onBlock} of that catch-up is measured, and the benchmark fails unless every tracker ends
   * confirmed where the node mined its penalty.
   */
  private void catchUp(List<RegtestPenalties.Pair> pairs) throws IOException {
    int n = pairs.size();
    out.printf(Locale.ROOT, "== catch-up through blocks that mined %,d penalties%n", n);
    Tower tower = towerWith(pairs, true, (p, tip) -> breach(p, tip.hash()));
    for (int i = 0; i < 5; i++) {
      tower.responder().onBlock(mineEmpty(tower.library()));
    }
    mineEmpty(tower.library()); // the sixth block, which the Responder is not given
    List<String> mined = new ArrayList<>();
    while (((Number) node.rpc().object("getmempoolinfo").get("size")).longValue() > 0) {
      @SuppressWarnings("unchecked")
      List<Object> hashes = (List<Object>) node.rpc().call("generatetoaddress", 1, maker.minerAddress());
      mined.add((String) hashes.get(0));
    }
    Block tip = mineEmpty(tower.library());
    Timed timed = timeBlock(tower.responder(), tower.carrier(), tip);
    long confirmed = tower.responder().countsByState().getOrDefault(TrackerState.CONFIRMED, 0);
    if (timed.sent() != n || confirmed != n) {
      throw new IllegalStateException("the catch-up sent " + timed.sent() + " of " + n + " penalties and left "
          + confirmed + " trackers confirmed");
    }
    out.printf(Locale.ROOT, "  onBlock of the catch-up (4 blocks, %d of them holding the penalties): %.1f ms"
        + " (%.1f us a penalty; carrier %.1f ms in %,d calls, the rest %.1f ms)%n", mined.size(),
        millis(timed.onBlockNanos()), micros(timed.onBlockNanos()) / n, millis(timed.carrierNanos()), timed.requests(),
        millis(timed.onBlockNanos() - timed.carrierNanos()));
    out.printf(Locale.ROOT, "  row: n=%d catch-up onblock_ms=%.1f carrier_ms=%.1f carrier_calls=%d%n", n,
        millis(timed.onBlockNanos()), millis(timed.carrierNanos()), timed.requests());
  }

  // --- reorganisations -------------------------------------------------------------------------

  private void reorg(List<RegtestPenalties.Pair> all, int n) throws IOException {
    out.printf(Locale.ROOT, "== reorganisation taking off the blocks of the disputes of %,d penalties in the node's mempool%n", n);
    compare(n, "reorg", batched -> reorgRun(all, n, batched));
  }

  /**
   * One reorganisation: a Responder that connected the blocks of every dispute (its store's tip set
   * below them, so it catches up through them at start) takes {@code n} breaches, their penalties
   * accepted into the node's mempool; the disputes' lowest block is invalidated and a longer branch
   * of empty blocks mined, and the branch's tip is handed to {@code onBlock}, which finds the fork,
   * takes the disputes' blocks off and gives the node back every affected dispute and penalty. Then
   * the node goes back to the disputes' branch for the next run.
   */
  private BlockRun reorgRun(List<RegtestPenalties.Pair> all, int n, boolean batched) throws IOException {
    node.restart();
    List<String> disputeBlocks = disputeBlocks(all);
    String lowest = disputeBlocks.get(disputeBlocks.size() - 1);
    Map<String, Object> lowestHeader = node.rpc().object("getblockheader", lowest);
    int forkHeight = ((Number) lowestHeader.get("height")).intValue() - 1;
    BlockHash fork = BlockHash.fromHex((String) lowestHeader.get("previousblockhash"));
    BitcoindRpc library = BitcoindRpc.create(node.config());
    MeasuredCarrier carrier = new MeasuredCarrier(library.carrier(), batched);
    InMemoryTrackerStore store = new InMemoryTrackerStore();
    store.commit(new StoreUpdate(List.of(), Map.of(), Set.of(), Optional.of(new BlockRef(fork, forkHeight))));
    Responder responder = Responder.builder()
        .carrier(carrier)
        .blockSource(library.blockSource())
        .store(store)
        .start(); // catches up through the disputes' blocks
    BlockHash seen = responder.tip().hash();
    for (RegtestPenalties.Pair p : all.subList(0, n)) {
      // With the raw dispute, as a watcher that saw it hands over: the node gets it back first.
      expectAccepted(responder.handleBreach(builder(p, seen).disputeRawTx(p.dispute().hex()).build()));
    }
    expectMempool(n);
    int oldTip = responder.tip().height();
    node.rpc().call("invalidateblock", lowest); // every dispute goes back to the mempool, its penalty stays
    // Another coinbase output each run (an OP_RETURN with the run's number): the same empty block on
    // the same parent would be one invalidated before.
    String address = String.format(Locale.ROOT, "raw(6a04%08x)", ++reorgRuns);
    Block tip = null;
    for (int h = forkHeight + 1; h <= oldTip + 1; h++) {
      tip = mineEmpty(library, address);
    }
    long acceptedBefore = carrier.accepted;
    Timed timed = timeBlock(responder, carrier, tip);
    if (timed.sent() != 2L * n || carrier.accepted - acceptedBefore != 2L * n || !responder.tip().equals(tip.ref())) {
      throw new IllegalStateException("the reorganisation sent " + timed.sent() + " transactions, accepted "
          + (carrier.accepted - acceptedBefore) + ", for " + n + " disputes and " + n + " penalties");
    }
    BlockRun run = printRun("the new branch's tip (" + (oldTip - forkHeight) + " blocks off, " + (tip.height() - forkHeight)
        + " on)", batched, "broadcastAll", "broadcast", n, timed);
    // Back to the disputes' branch, which the next run takes off again.
    String branchStart = (String) node.rpc().call("getblockhash", forkHeight + 1);
    node.rpc().call("reconsiderblock", lowest);
    node.rpc().call("invalidateblock", branchStart);
    if (!disputeBlocks(all).equals(disputeBlocks)) {
      throw new IllegalStateException("the node did not go back to the disputes' blocks");
    }
    return run;
  }

  /** The blocks from the node's tip down that hold disputes of {@code pairs}, tip first. */
  private List<String> disputeBlocks(List<RegtestPenalties.Pair> pairs) {
    Set<String> disputes = new HashSet<>();
    pairs.forEach(p -> disputes.add(p.dispute().txid()));
    List<String> blocks = new ArrayList<>();
    String hash = (String) node.rpc().call("getbestblockhash");
    while (true) {
      Map<String, Object> block = node.rpc().object("getblock", hash, 1);
      @SuppressWarnings("unchecked")
      List<Object> txids = (List<Object>) block.get("tx");
      if (txids.stream().noneMatch(disputes::contains)) {
        if (!blocks.isEmpty()) {
          return blocks;
        }
      } else {
        blocks.add(hash);
      }
      hash = (String) block.get("previousblockhash");
    }
  }

  // --- intake ----------------------------------------------------------------------------------

  private void intake(List<RegtestPenalties.Pair> pairs, Path file, boolean pooled) throws IOException, SQLException {
    int n = pairs.size();
    out.printf(Locale.ROOT, "== intake of %,d breaches on SQLite (JdbcTrackerStore, a new file, %s) and the real node%n", n,
        pooled ? "reads on a pooled connection" : "a plain SQLiteDataSource: a new connection per read");
    node.restart();
    SQLiteDataSource sqlite = new SQLiteDataSource();
    sqlite.setUrl("jdbc:sqlite:" + file);
    BitcoindRpc library = BitcoindRpc.create(node.config());
    try (JdbcStoreBenchmark.Pool pool = new JdbcStoreBenchmark.Pool(sqlite);
        JdbcTrackerStore jdbc = JdbcTrackerStore.open(pooled ? pool : sqlite)) {
      TimedStore store = new TimedStore(jdbc);
      MeasuredCarrier carrier = new MeasuredCarrier(library.carrier(), true);
      Responder responder = Responder.builder()
          .carrier(carrier)
          .blockSource(library.blockSource())
          .store(store)
          .start();
      BlockHash seen = responder.tip().hash();
      long findBefore = store.readNanos();
      long commitBefore = store.commitNanos();
      long build = 0;
      long handle = 0;
      long wall = System.nanoTime();
      for (RegtestPenalties.Pair p : pairs) {
        long t0 = System.nanoTime();
        Breach b = breach(p, seen);
        long t1 = System.nanoTime();
        expectAccepted(responder.handleBreach(b));
        long t2 = System.nanoTime();
        build += t1 - t0;
        handle += t2 - t1;
      }
      wall = System.nanoTime() - wall;
      expectMempool(n);
      long find = store.readNanos() - findBefore;
      long commit = store.commitNanos() - commitBefore;
      long rest = handle - carrier.nanos - find - commit;
      out.printf(Locale.ROOT, "  %,.0f breaches/s (%.1f s for %,d; %.0f us a breach)%n",
          n / seconds(wall), seconds(wall), n, micros(wall) / n);
      out.printf(Locale.ROOT, "  a breach: building the Breach (validation) %.1f us, carrier (sendrawtransaction) %.1f us,"
          + " store find %.1f us, store commit %.1f us, the Responder's own %.1f us, other %.1f us%n",
          micros(build) / n, micros(carrier.nanos) / n, micros(find) / n, micros(commit) / n, micros(rest) / n,
          micros(wall - build - handle) / n);
      out.printf(Locale.ROOT, "  row: n=%d pooled=%b breaches_per_s=%.0f us_per_breach=%.0f validation_us=%.1f carrier_us=%.1f"
          + " store_find_us=%.1f store_commit_us=%.1f responder_us=%.1f%n",
          n, pooled, n / seconds(wall), micros(wall) / n, micros(build) / n, micros(carrier.nanos) / n, micros(find) / n,
          micros(commit) / n, micros(rest) / n);
    }
  }

  // --- helpers ---------------------------------------------------------------------------------

  private static Breach breach(RegtestPenalties.Pair p, BlockHash seen) {
    return builder(p, seen).build();
  }

  private static Breach breach(RegtestPenalties.Pair p, BlockHash seen, int subscriptionEndHeight) {
    return builder(p, seen).subscriptionEndHeight(subscriptionEndHeight).build();
  }

  private static Breach.Builder builder(RegtestPenalties.Pair p, BlockHash seen) {
    Txid dispute = Txid.fromHex(p.dispute().txid());
    return Breach.builder()
        .uuid(UUID.randomUUID())
        .locator(Locator.of(dispute))
        .disputeTxid(dispute)
        .penaltyTxid(Txid.fromHex(p.penalty().txid()))
        .penaltyRawTx(p.penalty().hex())
        .seenInBlock(seen)
        .userId(USER);
  }

  private static void expectAccepted(BreachReceipt receipt) {
    if (!(receipt.broadcast() instanceof BroadcastResult.Accepted) || !receipt.tracked()) {
      throw new IllegalStateException("a breach was not accepted: " + receipt);
    }
  }

  private void expectMempool(long n) {
    long size = ((Number) node.rpc().object("getmempoolinfo").get("size")).longValue();
    if (size != n) {
      throw new IllegalStateException("the node's mempool holds " + size + " transactions, expected " + n);
    }
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }

  private static double micros(long nanos) {
    return nanos / 1e3;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /**
   * The library's carrier, timed and counted; {@code batched == false} hides its
   * {@code broadcastAll} and {@code statusAll}, so a block's sends and status lookups go through the
   * {@link Carrier} interface's looping defaults (one {@code broadcast} or {@code status} call per
   * transaction). Responder thread only.
   */
  private static final class MeasuredCarrier implements Carrier {
    private final Carrier delegate;
    private final boolean batched;
    long sent;
    long accepted;
    long requests;
    long asked;
    long nanos;

    MeasuredCarrier(Carrier delegate, boolean batched) {
      this.delegate = delegate;
      this.batched = batched;
    }

    @Override
    public BroadcastResult broadcast(Txid txid, byte[] rawTransaction) {
      BroadcastResult r = timed(() -> delegate.broadcast(txid, rawTransaction));
      sent++;
      count(r);
      return r;
    }

    @Override
    public List<BroadcastResult> broadcastAll(List<RawTransaction> transactions) {
      if (!batched) {
        return Carrier.super.broadcastAll(transactions);
      }
      List<BroadcastResult> results = timed(() -> delegate.broadcastAll(transactions));
      sent += transactions.size();
      results.forEach(this::count);
      return results;
    }

    @Override
    public PackageResult broadcastPackage(TransactionPackage transactionPackage) {
      return delegate.broadcastPackage(transactionPackage);
    }

    @Override
    public TxStatus status(Txid txid, Optional<BlockHash> inBlock) {
      TxStatus s = timed(() -> delegate.status(txid, inBlock));
      asked++;
      return s;
    }

    @Override
    public List<TxStatus> statusAll(List<StatusQuery> queries) {
      if (!batched) {
        return Carrier.super.statusAll(queries);
      }
      List<TxStatus> answers = timed(() -> delegate.statusAll(queries));
      asked += queries.size();
      return answers;
    }

    /** Makes one request to the library's carrier, timed and counted. */
    private <T> T timed(Supplier<T> request) {
      long t = System.nanoTime();
      T answer = request.get();
      nanos += System.nanoTime() - t;
      requests++;
      return answer;
    }

    private void count(BroadcastResult r) {
      if (r instanceof BroadcastResult.Accepted) {
        accepted++;
      }
    }
  }
}
