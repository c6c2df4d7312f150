package io.responder.benchmarks;

import io.responder.core.BlockHash;
import io.responder.core.BroadcastResult;
import io.responder.core.Carrier;
import io.responder.core.TxStatus;
import io.responder.core.Txid;
import java.util.Optional;

/**
 * A carrier that accepts every transaction and counts the calls: the node of a benchmark, costing
 * nothing so that only the Responder is measured. Called from the Responder's thread only.
 */
public final class CountingCarrier implements Carrier {
  private static final BroadcastResult ACCEPTED = new BroadcastResult.Accepted();
  private static final TxStatus IN_MEMPOOL = new TxStatus.InMempool();

  private long broadcasts;
  private long statusQueries;

  /** Creates a carrier with zero counts. */
  public CountingCarrier() {}

  @Override
  public BroadcastResult broadcast(Txid txid, byte[] rawTransaction) {
    broadcasts++;
    return ACCEPTED;
  }

  @Override
  public TxStatus status(Txid txid, Optional<BlockHash> inBlock) {
    statusQueries++;
    return IN_MEMPOOL;
  }

  /** @return broadcasts plus status queries so far */
  public long calls() {
    return broadcasts + statusQueries;
  }

  /** @return broadcasts so far */
  public long broadcasts() {
    return broadcasts;
  }
}
