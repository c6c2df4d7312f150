package io.responder.benchmarks;

import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.BroadcastResult;
import io.responder.core.Carrier;
import io.responder.core.RawTransaction;
import io.responder.core.StatusQuery;
import io.responder.core.TxStatus;
import io.responder.core.Txid;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The node of a trace replay: accepts every transaction, except that a transaction mined on the best
 * chain (before the start, by a {@code confirmed} line, or in a block handed over so far) is answered
 * "already confirmed" with its depth; status queries are answered from the same knowledge. Counts
 * its calls, and times them (the stand-in node's own time, which a real node spends in its own
 * process). Called from the Responder's thread only.
 */
final class ReplayCarrier implements Carrier {
  private static final BroadcastResult ACCEPTED = new BroadcastResult.Accepted();
  private static final TxStatus IN_MEMPOOL = new TxStatus.InMempool();

  /**
   * What this node knows of one txid: where it was mined, and whether it was sent. One map for all of
   * it, so that a send (a rebroadcast storm sends every penalty) costs one look-up, not three.
   *
   * <p>Mutable, and holding no reference it did not have when it was made: the blocks it was mined in
   * are numbers into {@link #minedBlocks}. The map's entries are old by the time the blocks come, and
   * a reference stored into an old object is a card that the collector's refinement threads scan
   * (with G1), on the cores the Responder runs on: a fresh record per entry per block, as this was
   * until the thirteenth round of issue 16, cost those threads 5 to 10 ms a block at a million, a
   * cost a real node, in its own process, does not put on the tower's.
   */
  private static final class Fate {
    int minedBeforeStart = -1;
    /** The first block it was mined in, an index into {@link #minedBlocks}; -1 for none. */
    int firstBlock = -1;
    /** The blocks after the first (a reorganisation mines it again): rare. */
    int @Nullable [] moreBlocks;
    boolean sent;

    void minedIn(int block) {
      if (firstBlock < 0) {
        firstBlock = block;
      } else {
        int[] more = moreBlocks == null ? new int[1] : Arrays.copyOf(moreBlocks, moreBlocks.length + 1);
        more[more.length - 1] = block;
        moreBlocks = more;
      }
    }
  }

  private final ChainSource chain;
  private final boolean rememberSent;
  /** Whether this node only counts (see {@link #counting}). */
  private final boolean counting;
  private final Map<Txid, Fate> fates = new HashMap<>();
  /** Every block handed over, in order: what a {@link Fate} numbers its blocks by. */
  private final List<BlockRef> minedBlocks = new ArrayList<>();
  private long calls;
  private long nanos;

  /**
   * Creates a carrier.
   *
   * @param chain the replay's chain, for depths and the best chain
   * @param rememberSent whether to remember what was sent, so that status queries can answer "in the
   *     mempool"; off for heap measurements, where it would be counted
   */
  ReplayCarrier(ChainSource chain, boolean rememberSent) {
    this(chain, rememberSent, false);
  }

  private ReplayCarrier(ChainSource chain, boolean rememberSent, boolean counting) {
    this.chain = chain;
    this.rememberSent = rememberSent;
    this.counting = counting;
  }

  /**
   * A node that knows nothing and only counts, as issue 16's storm target is stated ("re-sent to a
   * counting carrier"): every transaction accepted, every status lookup answered "in the mempool",
   * without a look-up, so the node's own work (and the cache it would take from the Responder) stays
   * out of the blocks. The Responder's decisions are not the replay node's then: a penalty mined
   * before the start is never learnt confirmed from the node (so it is rebroadcast with the others
   * and never completes), and no penalty about to expire is sent again (the node holds every one);
   * confirmations by block are the same.
   */
  static ReplayCarrier counting(ChainSource chain) {
    return new ReplayCarrier(chain, false, true);
  }

  void minedBeforeStart(Txid txid, int height) {
    if (!counting) {
      fateOf(txid).minedBeforeStart = height;
    }
  }

  void mined(Block block) {
    if (counting) {
      return;
    }
    int index = minedBlocks.size();
    minedBlocks.add(block.ref());
    for (Txid t : block.txids()) {
      fateOf(t).minedIn(index);
    }
  }

  private Fate fateOf(Txid txid) {
    Fate f = fates.get(txid);
    if (f == null) {
      f = new Fate();
      fates.put(txid, f);
    }
    return f;
  }

  long calls() {
    return calls;
  }

  /** Nanoseconds spent inside this carrier's methods so far: the stand-in node's own time. */
  long nanos() {
    return nanos;
  }

  @Override
  public BroadcastResult broadcast(Txid txid, byte[] rawTransaction) {
    return timed(() -> answer(txid));
  }

  /** Runs one call of this carrier, adding its time to {@link #nanos()}. */
  private <T> T timed(Supplier<T> call) {
    long t = System.nanoTime();
    T result = call.get();
    nanos += System.nanoTime() - t;
    return result;
  }

  private BroadcastResult answer(Txid txid) {
    calls++;
    if (counting) {
      return ACCEPTED;
    }
    Fate f = fates.get(txid);
    BlockRef c = confirmation(f);
    if (c != null) {
      return new BroadcastResult.AlreadyConfirmed(OptionalInt.of(chain.bestBlock().height() - c.height() + 1));
    }
    if (rememberSent) {
      (f == null ? fateOf(txid) : f).sent = true;
    }
    return ACCEPTED;
  }

  /**
   * Answers a batch as {@link #broadcast} answers each transaction (one call counted per
   * transaction), without the default's copies of the list and of every transaction's bytes, which
   * this node never reads: like a carrier that batches, its own cost stays out of a storm's time.
   */
  @Override
  public List<BroadcastResult> broadcastAll(List<RawTransaction> transactions) {
    return timed(() -> {
      List<BroadcastResult> results = new ArrayList<>(transactions.size());
      for (RawTransaction tx : transactions) {
        results.add(answer(tx.txid()));
      }
      return results;
    });
  }

  @Override
  public TxStatus status(Txid txid, Optional<BlockHash> inBlock) {
    return timed(() -> statusOf(txid));
  }

  /** Answers each query as {@link #status} answers it (one call counted per query), timed once. */
  @Override
  public List<TxStatus> statusAll(List<StatusQuery> queries) {
    return timed(() -> {
      List<TxStatus> answers = new ArrayList<>(queries.size());
      for (StatusQuery q : queries) {
        answers.add(statusOf(q.txid()));
      }
      return answers;
    });
  }

  private TxStatus statusOf(Txid txid) {
    calls++;
    if (counting) {
      return IN_MEMPOOL;
    }
    Fate f = fates.get(txid);
    BlockRef c = confirmation(f);
    if (c != null) {
      return new TxStatus.Confirmed(c);
    }
    return f != null && f.sent ? new TxStatus.InMempool() : new TxStatus.NotFound();
  }

  private @Nullable BlockRef confirmation(@Nullable Fate f) {
    if (f == null) {
      return null;
    }
    int h = f.minedBeforeStart;
    if (h >= 0 && h <= chain.bestBlock().height()) {
      Optional<BlockHash> hash = chain.blockHashAt(h);
      if (hash.isPresent()) {
        return new BlockRef(hash.get(), h);
      }
    }
    if (f.firstBlock >= 0 && chain.onBestChain(minedBlocks.get(f.firstBlock))) {
      return minedBlocks.get(f.firstBlock);
    }
    if (f.moreBlocks != null) {
      for (int i : f.moreBlocks) {
        if (chain.onBestChain(minedBlocks.get(i))) {
          return minedBlocks.get(i);
        }
      }
    }
    return null;
  }
}
