package io.responder.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Hands transactions to the Bitcoin network and asks about them: the Responder's only way to act on
 * the chain.
 *
 * <h2>Requirements</h2>
 * Broadcasting the same transaction twice must be harmless (the node answers {@code Accepted} or
 * {@code AlreadyConfirmed} again). Implementations map every failure to a {@link BroadcastResult} or
 * {@link TxStatus} value instead of throwing; a {@link RuntimeException} that escapes is treated as
 * {@link BroadcastResult.NodeUnavailable} / {@link TxStatus.Unknown}.
 *
 * <p>{@link #broadcastAll} (independent transactions, one result each) and {@link #broadcastPackage}
 * (a child with its parents, judged together) have defaults that call {@link #broadcast} once per
 * transaction in order, so a carrier that implements only {@code broadcast} keeps working; a carrier
 * overrides them to use one round trip, or the node's package relay. They must return exactly one
 * result per transaction, in the order given; the Responder treats any other answer as
 * {@link BroadcastResult.NodeUnavailable} for every transaction. Likewise {@link #statusAll} calls
 * {@link #status} once per query unless overridden.
 *
 * <h2>Threading</h2>
 * Called only from inside a Responder call, one call at a time per Responder. May block (network
 * I/O); a bounded timeout is the implementation's duty. Must not call back into the Responder.
 *
 * <h2>Errors</h2>
 * {@code Accepted} and {@code AlreadyConfirmed} make a tracker; {@code Rejected} drops a new breach;
 * {@code RejectedForNow} and {@code NodeUnavailable} keep it pending and retry on the next block.
 *
 * @since 0.1.0
 */
public interface Carrier {
  /**
   * Sends a raw transaction to the node.
   *
   * @param txid the transaction's id (already checked against {@code rawTransaction})
   * @param rawTransaction the serialised transaction; the carrier must not modify or keep it
   * @return what the node did with it
   */
  BroadcastResult broadcast(Txid txid, byte[] rawTransaction);

  /**
   * Sends independent transactions, in order: a transaction that depends on an earlier one of the
   * list (a penalty after its dispute) reaches the node after it. Each result means what it means for
   * {@link #broadcast}. The default calls {@code broadcast} for each transaction in turn; a carrier
   * may send them in fewer round trips as long as the node takes them in this order.
   *
   * @param transactions the transactions, possibly none; the list is not kept
   * @return one result per transaction, in the same order
   * @throws NullPointerException if the list or one of its elements is null
   */
  default List<BroadcastResult> broadcastAll(List<RawTransaction> transactions) {
    Objects.requireNonNull(transactions, "transactions");
    List<BroadcastResult> results = new ArrayList<>(transactions.size());
    for (RawTransaction tx : List.copyOf(transactions)) {
      results.add(broadcast(tx.txid(), tx.bytes()));
    }
    return List.copyOf(results);
  }

  /**
   * Sends a child with its parents so that the node judges them together, and the child's fee can pay
   * for parents that pay too little on their own (a dispute below the mempool minimum, with the
   * penalty spending it). See {@link PackageResult} for how to read the answer: the node accepts,
   * refuses or already has each transaction separately.
   *
   * <p>The default sends the parents and then the child with {@link #broadcast}, one by one: a
   * carrier without package relay, whose node judges each transaction alone. A parent that pays too
   * little is then refused, and the child after it refused for a missing input; the package's
   * {@code replaced} list is empty. A carrier overrides this to use the node's package relay.
   *
   * @param transactionPackage the parents, then the child
   * @return one result per transaction of the package, in package order, and what it replaced
   * @throws NullPointerException if the package is null
   */
  default PackageResult broadcastPackage(TransactionPackage transactionPackage) {
    Objects.requireNonNull(transactionPackage, "transactionPackage");
    List<BroadcastResult> results = new ArrayList<>(transactionPackage.size());
    for (RawTransaction tx : transactionPackage.transactions()) {
      results.add(broadcast(tx.txid(), tx.bytes()));
    }
    return new PackageResult(results, List.of());
  }

  /**
   * Asks where a transaction stands. Used rarely: to learn the height of a penalty that was already
   * confirmed when it was handed over, and after reorganisations deeper than the Responder remembers.
   *
   * @param txid the transaction
   * @param inBlock a block the transaction may be in, which lets nodes without a transaction index
   *     find confirmed transactions
   * @return what the node knows
   */
  TxStatus status(Txid txid, Optional<BlockHash> inBlock);

  /**
   * Asks where several transactions stand: each answer means what it means for {@link #status}. The
   * Responder asks this way when it needs many answers in one block (before the trackers of many
   * penalties expire together). The default calls {@code status} for each query in turn; a carrier
   * overrides it to ask in a few round trips. It must return exactly one answer per query, in the
   * order given; the Responder treats any other answer, or a null element, as
   * {@link TxStatus.Unknown} (for every query, or for that one).
   *
   * @param queries the questions, possibly none; the list is not kept
   * @return one answer per query, in the same order
   * @throws NullPointerException if the list or one of its elements is null
   * @since 0.1.0
   */
  default List<TxStatus> statusAll(List<StatusQuery> queries) {
    Objects.requireNonNull(queries, "queries");
    List<TxStatus> answers = new ArrayList<>(queries.size());
    for (StatusQuery q : List.copyOf(queries)) {
      answers.add(status(q.txid(), q.inBlock()));
    }
    return Collections.unmodifiableList(answers); // not List.copyOf: a null answer is the caller's to judge
  }
}
