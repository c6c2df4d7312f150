package io.responder.benchmarks;

import io.responder.core.BlockRef;
import io.responder.core.BroadcastResult;
import io.responder.core.ResponderListener;
import io.responder.core.TransactionTracker;
import io.responder.core.Txid;
import java.util.List;
import java.util.UUID;

/** Counts the Responder's events, one per tracker as they are delivered. Single-threaded. */
final class CountingListener implements ResponderListener {
  long added;
  long confirmed;
  long rebroadcast;
  long completed;
  long expired;
  long rejected;
  long disconnected;

  @Override
  public void trackerAdded(TransactionTracker tracker) {
    added++;
  }

  @Override
  public void penaltyConfirmed(UUID uuid, Txid penaltyTxid, BlockRef block) {
    confirmed++;
  }

  @Override
  public void penaltyRebroadcast(UUID uuid, Txid penaltyTxid, BroadcastResult result) {
    rebroadcast++;
  }

  @Override
  public void trackerCompleted(UUID uuid, Txid penaltyTxid, BlockRef tip) {
    completed++;
  }

  @Override
  public void trackerExpired(UUID uuid, Txid penaltyTxid, BlockRef tip) {
    expired++;
  }

  @Override
  public void breachRejected(UUID uuid, Txid penaltyTxid, BroadcastResult.Rejected rejection) {
    rejected++;
  }

  @Override
  public void blocksDisconnected(BlockRef forkPoint, List<BlockRef> blocks) {
    disconnected += blocks.size();
  }
}
