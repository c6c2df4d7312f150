package io.responder.core;

import java.util.ArrayList;
import java.util.List;

/**
 * What became of a {@link TransactionPackage} handed to {@link Carrier#broadcastPackage}: one
 * {@link BroadcastResult} per transaction, in package order, and the transactions the package
 * replaced in the node's mempool.
 *
 * <p>Each transaction's result means what it means for {@link Carrier#broadcast}; read them one by
 * one, because the node judges the members separately as well as together: a parent can be accepted
 * while its child is refused (the parent paid enough on its own), and a child can be accepted while
 * a parent is reported {@link BroadcastResult.AlreadyConfirmed} (the parent is in a block). A child's
 * {@link BroadcastResult.Rejected} with code {@link BroadcastResult.Rejected#INPUTS_MISSING_OR_SPENT}
 * says nothing final while one of its parents was not {@linkplain BroadcastResult#delivered()
 * delivered}: its inputs were missing because the parent was.
 *
 * @param results one result per transaction of the package, in package order (parents first, the
 *     child last)
 * @param replaced the txids of mempool transactions the node evicted to take the package in
 *     (replace-by-fee), in the node's order; empty when none were, or when the carrier cannot tell
 *     (the default {@link Carrier#broadcastPackage} sends one by one and cannot)
 *
 * @since 0.1.0
 */
public record PackageResult(List<BroadcastResult> results, List<Txid> replaced) {
  /** Validates and copies the lists; errors are {@link InvalidInputException}s. */
  public PackageResult {
    results = copy("results", results);
    replaced = copy("replaced", replaced);
    if (results.isEmpty()) {
      throw new InvalidInputException("results", "must hold one result per transaction, got none");
    }
  }

  private static <T> List<T> copy(String field, List<T> list) {
    if (list == null) {
      throw new InvalidInputException(field, "must not be null");
    }
    List<T> copy = new ArrayList<>(list);
    for (int i = 0; i < copy.size(); i++) {
      if (copy.get(i) == null) {
        throw new InvalidInputException(field, "[" + i + "] is null");
      }
    }
    return List.copyOf(copy);
  }

  /**
   * Returns whether the node has every transaction of the package (in its mempool or a block).
   *
   * @return true when each result is {@linkplain BroadcastResult#delivered() delivered}
   */
  public boolean allDelivered() {
    return results.stream().allMatch(BroadcastResult::delivered);
  }
}
