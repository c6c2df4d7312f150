package io.responder.core;

import static io.responder.core.TestTx.coin;
import static io.responder.core.TestTx.out;
import static io.responder.core.TestTx.spending;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Raw transactions and packages: valid by construction, bad input refused with the reason. */
class TransactionPackageTest {
  final RawTransaction dispute = spending(1, coin(1));
  final RawTransaction penalty = spending(2, out(dispute, 0));
  final RawTransaction otherParent = spending(3, coin(2));

  // --- RawTransaction

  @Test
  void aRawTransactionKnowsItsTxidAndCopiesItsBytesInAndOut() {
    byte[] bytes = dispute.bytes();
    RawTransaction again = RawTransaction.of(bytes);
    bytes[0] ^= 1;
    assertEquals(dispute, again);
    assertEquals(dispute.txid(), again.txid());
    assertEquals(dispute.hashCode(), again.hashCode());
    byte[] out = again.bytes();
    out[0] ^= 1;
    assertArrayEquals(dispute.bytes(), again.bytes());
    assertEquals(dispute.bytes().length, again.size());
    assertEquals(dispute, RawTransaction.of(dispute.txid(), dispute.bytes()));
    assertNotEquals(dispute, penalty);
  }

  @Test
  void aRawTransactionIsShownByTxidAndSizeNeverByItsBytes() {
    String shown = dispute.toString();
    assertTrue(shown.contains(dispute.txid().toHex()), shown);
    assertFalse(shown.contains(io.responder.core.internal.Hex.encode(dispute.bytes()).substring(0, 20)), shown);
  }

  @Test
  void aRawTransactionRefusesNullBytesThatDoNotParseAndAnotherTxid() {
    InvalidInputException nullBytes = assertThrows(InvalidInputException.class, () -> RawTransaction.of((byte[]) null));
    assertEquals("rawTransaction", nullBytes.field());
    InvalidInputException truncated = assertThrows(InvalidInputException.class,
        () -> RawTransaction.of(Arrays.copyOf(dispute.bytes(), 20)));
    assertEquals("rawTransaction", truncated.field());
    InvalidInputException wrongTxid = assertThrows(InvalidInputException.class,
        () -> RawTransaction.of(penalty.txid(), dispute.bytes()));
    assertEquals("txid", wrongTxid.field());
    assertThrows(InvalidInputException.class, () -> RawTransaction.of(null, dispute.bytes()));
  }

  // --- TransactionPackage

  @Test
  void aChildWithItsParentsInOrder() {
    RawTransaction child = spending(4, out(dispute, 1), out(otherParent, 0), coin(3));
    TransactionPackage p = TransactionPackage.of(dispute, otherParent, child);
    assertEquals(List.of(dispute, otherParent, child), p.transactions());
    assertEquals(child, p.child());
    assertEquals(List.of(dispute, otherParent), p.parents());
    assertEquals(3, p.size());
    assertEquals(p, TransactionPackage.of(List.of(dispute, otherParent, child)));
    assertEquals(p.hashCode(), TransactionPackage.of(List.of(dispute, otherParent, child)).hashCode());
    assertThrows(UnsupportedOperationException.class, () -> p.transactions().add(child));
  }

  @Test
  void aPackageOfOneIsTheTransactionAlone() {
    TransactionPackage p = TransactionPackage.of(penalty);
    assertEquals(penalty, p.child());
    assertEquals(List.of(), p.parents());
  }

  @Test
  void thePackageKeepsItsOwnCopyOfTheList() {
    List<RawTransaction> list = new ArrayList<>(List.of(dispute, penalty));
    TransactionPackage p = TransactionPackage.of(list);
    list.clear();
    assertEquals(List.of(dispute, penalty), p.transactions());
  }

  @Test
  void emptyOrNullIsRefused() {
    assertRefused("must hold at least one transaction", List.of());
    InvalidInputException nullList = assertThrows(InvalidInputException.class,
        () -> TransactionPackage.of((List<RawTransaction>) null));
    assertEquals("transactions", nullList.field());
    assertThrows(InvalidInputException.class, () -> TransactionPackage.of((RawTransaction[]) null));
    assertRefused("[1] is null", Arrays.asList(dispute, null));
  }

  @Test
  void theChildFirstIsRefused() {
    assertRefused("[0] spends an output of [1]", List.of(penalty, dispute));
  }

  @Test
  void aParentTheChildDoesNotSpendIsRefused() {
    assertRefused("[1] (" + otherParent.txid() + ") is not spent by the last transaction", List.of(dispute, otherParent, penalty));
  }

  @Test
  void twoChildrenAreRefused() {
    // dispute <- penalty <- grandchild: the penalty is a parent that spends another parent.
    RawTransaction grandchild = spending(5, out(penalty, 0), out(dispute, 1));
    assertRefused("[1] spends an output of [0]", List.of(dispute, penalty, grandchild));
  }

  @Test
  void theSameTransactionTwiceIsRefused() {
    assertRefused("[0] and [1] are the same transaction", List.of(dispute, dispute));
  }

  @Test
  void twoMembersSpendingTheSameOutputAreRefused() {
    RawTransaction conflicting = spending(6, coin(1), coin(9)); // spends the dispute's own input
    RawTransaction child = spending(7, out(dispute, 0), out(conflicting, 0));
    assertRefused("[0] and [1] spend the same output", List.of(dispute, conflicting, child));
  }

  @Test
  void moreThanTwentyFiveIsRefused() {
    List<RawTransaction> parents = new ArrayList<>();
    List<TestTx.Out> spent = new ArrayList<>();
    for (int i = 0; i < TransactionPackage.MAX_TRANSACTIONS; i++) {
      RawTransaction parent = spending(100 + i, coin(100 + i));
      parents.add(parent);
      spent.add(out(parent, 0));
    }
    List<RawTransaction> all = new ArrayList<>(parents);
    all.add(spending(99, spent.toArray(TestTx.Out[]::new)));
    assertRefused("holds 26 transactions, more than the 25", all);
    List<RawTransaction> fits = new ArrayList<>(parents.subList(1, parents.size()));
    fits.add(spending(98, spent.subList(1, spent.size()).toArray(TestTx.Out[]::new)));
    assertEquals(25, TransactionPackage.of(fits).size());
  }

  @Test
  void aPackageIsShownByTxids() {
    String shown = TransactionPackage.of(dispute, penalty).toString();
    assertEquals("TransactionPackage[" + dispute.txid() + ", " + penalty.txid() + "]", shown);
  }

  private static void assertRefused(String expected, List<RawTransaction> transactions) {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> TransactionPackage.of(transactions));
    assertEquals("transactions", e.field());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  // --- PackageResult

  @Test
  void aPackageResultCopiesItsListsAndRefusesNullsAndNoResults() {
    List<BroadcastResult> results = new ArrayList<>(List.of(new BroadcastResult.Accepted(),
        new BroadcastResult.AlreadyConfirmed(OptionalInt.empty())));
    PackageResult r = new PackageResult(results, List.of(penalty.txid()));
    results.clear();
    assertEquals(2, r.results().size());
    assertTrue(r.allDelivered());
    assertFalse(new PackageResult(List.of(new BroadcastResult.Accepted(), new BroadcastResult.RejectedForNow(-26, "x")),
        List.of()).allDelivered());
    assertEquals("results", assertThrows(InvalidInputException.class, () -> new PackageResult(List.of(), List.of())).field());
    assertEquals("results", assertThrows(InvalidInputException.class, () -> new PackageResult(null, List.of())).field());
    assertEquals("replaced", assertThrows(InvalidInputException.class,
        () -> new PackageResult(List.of(new BroadcastResult.Accepted()), Arrays.asList((Txid) null))).field());
  }
}
