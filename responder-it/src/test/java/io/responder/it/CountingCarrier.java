package io.responder.it;

import io.responder.core.BlockHash;
import io.responder.core.BroadcastResult;
import io.responder.core.Carrier;
import io.responder.core.PackageResult;
import io.responder.core.RawTransaction;
import io.responder.core.StatusQuery;
import io.responder.core.TransactionPackage;
import io.responder.core.TxStatus;
import io.responder.core.Txid;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A carrier that hands everything to the library's bitcoind carrier and writes down what the
 * Responder asked it to send: each transaction sent alone ({@code sendrawtransaction}) and each
 * package ({@code submitpackage}), in order, with the node's answers; and each status lookup, alone
 * or in a batch ({@code statusAll}, passed on as a batch).
 *
 * <p>Thread-safe (every method is synchronized; the Responder calls it one call at a time anyway).
 */
final class CountingCarrier implements Carrier {
  /** One {@code sendrawtransaction}: what was sent and what the node answered. */
  record Sent(Txid txid, BroadcastResult result) {}

  /** One status lookup: the txid asked about and what the node answered. */
  record Asked(Txid txid, TxStatus answer) {}

  /** One {@code submitpackage}: the txids in package order and what the node answered. */
  record SentPackage(List<Txid> txids, PackageResult result) {}

  private final Carrier carrier;
  private final List<Sent> sent = new ArrayList<>();
  private final List<SentPackage> packages = new ArrayList<>();
  private final List<Asked> statuses = new ArrayList<>();
  private int statusBatches;

  CountingCarrier(Carrier carrier) {
    this.carrier = carrier;
  }

  @Override
  public synchronized BroadcastResult broadcast(Txid txid, byte[] rawTransaction) {
    BroadcastResult result = carrier.broadcast(txid, rawTransaction);
    sent.add(new Sent(txid, result));
    return result;
  }

  @Override
  public synchronized List<BroadcastResult> broadcastAll(List<RawTransaction> transactions) {
    List<BroadcastResult> results = carrier.broadcastAll(transactions);
    for (int i = 0; i < transactions.size(); i++) {
      sent.add(new Sent(transactions.get(i).txid(), results.get(i)));
    }
    return results;
  }

  @Override
  public synchronized PackageResult broadcastPackage(TransactionPackage transactionPackage) {
    PackageResult result = carrier.broadcastPackage(transactionPackage);
    packages.add(new SentPackage(transactionPackage.transactions().stream().map(RawTransaction::txid).toList(), result));
    return result;
  }

  @Override
  public synchronized TxStatus status(Txid txid, Optional<BlockHash> inBlock) {
    TxStatus answer = carrier.status(txid, inBlock);
    statuses.add(new Asked(txid, answer));
    return answer;
  }

  @Override
  public synchronized List<TxStatus> statusAll(List<StatusQuery> queries) {
    List<TxStatus> answers = carrier.statusAll(queries);
    for (int i = 0; i < queries.size(); i++) {
      statuses.add(new Asked(queries.get(i).txid(), answers.get(i)));
    }
    statusBatches++;
    return answers;
  }

  /** How many {@code statusAll} calls were made so far. */
  synchronized int statusBatches() {
    return statusBatches;
  }

  /** Every status lookup so far, alone or in a batch, oldest first. */
  synchronized List<Asked> statuses() {
    return List.copyOf(statuses);
  }

  /** Every transaction sent alone so far, oldest first. */
  synchronized List<Sent> sent() {
    return List.copyOf(sent);
  }

  /** How many times {@code txid} was sent alone. */
  synchronized long sendsOf(Txid txid) {
    return sent.stream().filter(s -> s.txid().equals(txid)).count();
  }

  /** Every package sent so far, oldest first. */
  synchronized List<SentPackage> packages() {
    return List.copyOf(packages);
  }

  /** Whether any package sent so far held {@code txid}. */
  synchronized boolean packaged(Txid txid) {
    return packages.stream().anyMatch(p -> p.txids().contains(txid));
  }
}
