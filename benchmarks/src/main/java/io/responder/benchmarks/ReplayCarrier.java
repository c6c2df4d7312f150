package io.responder.benchmarks;

import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.BroadcastResult;
import io.responder.core.Carrier;
import io.responder.core.RawTransaction;
import io.responder.core.TxStatus;
import io.responder.core.Txid;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The node of a trace replay: accepts every transaction, except that a transaction mined on the best
 * chain (before the start, by a {@code confirmed} line, or in a block handed over so far) is answered
 * "already confirmed" with its depth; status queries are answered from the same knowledge. Counts
 * its calls. Called from the Responder's thread only.
 */
final class ReplayCarrier implements Carrier {
  private static final BroadcastResult ACCEPTED = new BroadcastResult.Accepted();

  private final ChainSource chain;
  private final boolean rememberSent;
  private final Map<Txid, Integer> minedBeforeStart = new HashMap<>();
  private final Map<Txid, List<BlockRef>> minedInBlocks = new HashMap<>();
  private final Set<Txid> sent = new HashSet<>();
  private long calls;

  /**
   * Creates a carrier.
   *
   * @param chain the replay's chain, for depths and the best chain
   * @param rememberSent whether to remember what was sent, so that status queries can answer "in the
   *     mempool"; off for heap measurements, where it would be counted
   */
  ReplayCarrier(ChainSource chain, boolean rememberSent) {
    this.chain = chain;
    this.rememberSent = rememberSent;
  }

  void minedBeforeStart(Txid txid, int height) {
    minedBeforeStart.put(txid, height);
  }

  void mined(Block block) {
    BlockRef ref = block.ref();
    for (Txid t : block.txids()) {
      minedInBlocks.computeIfAbsent(t, k -> new ArrayList<>(1)).add(ref);
    }
  }

  long calls() {
    return calls;
  }

  @Override
  public BroadcastResult broadcast(Txid txid, byte[] rawTransaction) {
    calls++;
    BlockRef c = confirmation(txid);
    if (c != null) {
      return new BroadcastResult.AlreadyConfirmed(OptionalInt.of(chain.bestBlock().height() - c.height() + 1));
    }
    if (rememberSent) {
      sent.add(txid);
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
    List<BroadcastResult> results = new ArrayList<>(transactions.size());
    for (RawTransaction tx : transactions) {
      results.add(broadcast(tx.txid(), null));
    }
    return results;
  }

  @Override
  public TxStatus status(Txid txid, Optional<BlockHash> inBlock) {
    calls++;
    BlockRef c = confirmation(txid);
    if (c != null) {
      return new TxStatus.Confirmed(c);
    }
    return sent.contains(txid) ? new TxStatus.InMempool() : new TxStatus.NotFound();
  }

  private BlockRef confirmation(Txid txid) {
    int best = chain.bestBlock().height();
    Integer h = minedBeforeStart.get(txid);
    if (h != null && h <= best) {
      Optional<BlockHash> hash = chain.blockHashAt(h);
      if (hash.isPresent()) {
        return new BlockRef(hash.get(), h);
      }
    }
    List<BlockRef> refs = minedInBlocks.get(txid);
    if (refs != null) {
      for (BlockRef r : refs) {
        if (chain.onBestChain(r)) {
          return r;
        }
      }
    }
    return null;
  }
}
