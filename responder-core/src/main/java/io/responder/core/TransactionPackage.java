package io.responder.core;

import io.responder.core.internal.TransactionParser;
import io.responder.core.internal.TransactionParser.Outpoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Transactions to be judged together by the node, so that a child's fee can pay for its parents
 * (child pays for parent): one child, last, with its parents before it. This is the shape Bitcoin
 * Core's {@code submitpackage} takes (child-with-parents): every parent is spent by the child, and
 * no parent spends another. The Responder's packages are {@code [dispute, penalty]} and
 * {@code [penalty, child]}. A package of one transaction is that transaction alone.
 *
 * <p>Valid by construction: {@link #of(List)} parses every member and throws
 * {@link InvalidInputException} (field {@code transactions}) for an empty or too long list, a null
 * member, the same transaction twice, a parent the child does not spend, a parent that spends
 * another member (more than one child), or two members spending the same output. Instances are
 * immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class TransactionPackage {
  /** The most transactions in a package: Bitcoin Core's limit ({@code MAX_PACKAGE_COUNT}). */
  public static final int MAX_TRANSACTIONS = 25;

  private static final String FIELD = "transactions";

  private final List<RawTransaction> transactions;

  private TransactionPackage(List<RawTransaction> transactions) {
    this.transactions = transactions;
  }

  /**
   * Makes a package of parents followed by their child.
   *
   * @param transactions the parents in any order, then the child; a single transaction is allowed
   * @return the package
   * @throws InvalidInputException if the transactions are not one child with its parents
   */
  public static TransactionPackage of(RawTransaction... transactions) {
    if (transactions == null) {
      throw new InvalidInputException(FIELD, "must not be null");
    }
    return of(Arrays.asList(transactions));
  }

  /**
   * Makes a package of parents followed by their child.
   *
   * @param transactions the parents in any order, then the child; a single transaction is allowed
   * @return the package, holding a copy of the list
   * @throws InvalidInputException if the transactions are not one child with its parents
   */
  public static TransactionPackage of(List<RawTransaction> transactions) {
    if (transactions == null) {
      throw new InvalidInputException(FIELD, "must not be null");
    }
    List<RawTransaction> copy = new ArrayList<>(transactions); // one snapshot, checked and kept
    if (copy.isEmpty()) {
      throw new InvalidInputException(FIELD, "must hold at least one transaction");
    }
    if (copy.size() > MAX_TRANSACTIONS) {
      throw new InvalidInputException(FIELD,
          "holds " + copy.size() + " transactions, more than the " + MAX_TRANSACTIONS + " a package may hold");
    }
    Map<Txid, Integer> index = new HashMap<>();
    for (int i = 0; i < copy.size(); i++) {
      RawTransaction tx = copy.get(i);
      if (tx == null) {
        throw new InvalidInputException(FIELD, "[" + i + "] is null");
      }
      Integer earlier = index.putIfAbsent(tx.txid(), i);
      if (earlier != null) {
        throw new InvalidInputException(FIELD,
            "[" + earlier + "] and [" + i + "] are the same transaction (" + tx.txid() + ")");
      }
    }
    checkTopology(copy, index);
    return new TransactionPackage(List.copyOf(copy));
  }

  private static void checkTopology(List<RawTransaction> txs, Map<Txid, Integer> index) {
    int child = txs.size() - 1;
    boolean[] spentByChild = new boolean[txs.size()];
    Map<Outpoint, Integer> spender = new HashMap<>();
    for (int i = 0; i < txs.size(); i++) {
      // The bytes were checked when the RawTransaction was made; this parse only lists the inputs.
      List<Outpoint> inputs = TransactionParser.parse(FIELD + "[" + i + "]", txs.get(i).bytes()).inputs();
      for (Outpoint in : inputs) {
        Integer other = spender.putIfAbsent(in, i);
        if (other != null && other != i) {
          throw new InvalidInputException(FIELD,
              "[" + other + "] and [" + i + "] spend the same output " + in.txid() + ":" + in.vout());
        }
        Integer parent = index.get(in.txid());
        if (parent == null) {
          continue; // spends something outside the package
        }
        if (i != child) {
          throw new InvalidInputException(FIELD, "[" + i + "] spends an output of [" + parent
              + "]: only the last transaction (the child) may spend other members; parents must not depend on each other");
        }
        spentByChild[parent] = true;
      }
    }
    for (int i = 0; i < child; i++) {
      if (!spentByChild[i]) {
        throw new InvalidInputException(FIELD, "[" + i + "] (" + txs.get(i).txid()
            + ") is not spent by the last transaction: a package is one child, last, with its parents");
      }
    }
  }

  /**
   * Returns the transactions in order: parents first, the child last.
   *
   * @return an unmodifiable list of at least one transaction
   */
  public List<RawTransaction> transactions() {
    return transactions;
  }

  /**
   * Returns the child, the last transaction (the only one for a package of one).
   *
   * @return the child
   */
  public RawTransaction child() {
    return transactions.get(transactions.size() - 1);
  }

  /**
   * Returns the parents, in package order.
   *
   * @return an unmodifiable list, empty for a package of one
   */
  public List<RawTransaction> parents() {
    return transactions.subList(0, transactions.size() - 1);
  }

  /**
   * Returns the number of transactions.
   *
   * @return at least 1
   */
  public int size() {
    return transactions.size();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TransactionPackage p && p.transactions.equals(transactions);
  }

  @Override
  public int hashCode() {
    return transactions.hashCode();
  }

  /** Lists the txids, never the bytes. */
  @Override
  public String toString() {
    return "TransactionPackage" + transactions.stream().map(t -> t.txid().toHex())
        .collect(Collectors.joining(", ", "[", "]"));
  }
}
