package io.responder.core;

import static io.responder.core.TestTx.coin;
import static io.responder.core.TestTx.out;
import static io.responder.core.TestTx.spending;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A carrier that implements only {@code broadcast} gets batches and packages sent one by one, in order. */
class CarrierDefaultsTest {
  /** Answers from a script by txid and records what was sent. */
  static final class OneByOne implements Carrier {
    final Map<Txid, BroadcastResult> answers;
    final List<Txid> sent = new ArrayList<>();
    final List<byte[]> bytes = new ArrayList<>();

    OneByOne(Map<Txid, BroadcastResult> answers) {
      this.answers = answers;
    }

    @Override
    public BroadcastResult broadcast(Txid txid, byte[] rawTransaction) {
      sent.add(txid);
      bytes.add(rawTransaction);
      return answers.get(txid);
    }

    @Override
    public TxStatus status(Txid txid, Optional<BlockHash> inBlock) {
      return new TxStatus.Unknown("not asked in this test");
    }
  }

  final RawTransaction dispute = spending(1, coin(1));
  final RawTransaction penalty = spending(2, out(dispute, 0));
  final RawTransaction other = spending(3, coin(2));

  @Test
  void aPackageIsSentParentsFirstWithOneResultEachAndNothingReplaced() {
    BroadcastResult parentRefused = new BroadcastResult.RejectedForNow(-26, "min relay fee not met, 0 < 11");
    BroadcastResult childOrphaned = new BroadcastResult.Rejected(-25, "bad-txns-inputs-missingorspent");
    OneByOne carrier = new OneByOne(Map.of(dispute.txid(), parentRefused, penalty.txid(), childOrphaned));

    PackageResult r = carrier.broadcastPackage(TransactionPackage.of(dispute, penalty));

    assertEquals(List.of(dispute.txid(), penalty.txid()), carrier.sent);
    assertArrayEquals(dispute.bytes(), carrier.bytes.get(0));
    assertEquals(new PackageResult(List.of(parentRefused, childOrphaned), List.of()), r);
  }

  @Test
  void aBatchIsSentInOrderWithOneResultEach() {
    BroadcastResult ok = new BroadcastResult.Accepted();
    BroadcastResult gone = new BroadcastResult.Rejected(-25, "bad-txns-inputs-missingorspent");
    OneByOne carrier = new OneByOne(Map.of(dispute.txid(), ok, penalty.txid(), ok, other.txid(), gone));

    List<BroadcastResult> r = carrier.broadcastAll(List.of(dispute, penalty, other));

    assertEquals(List.of(dispute.txid(), penalty.txid(), other.txid()), carrier.sent);
    assertEquals(List.of(ok, ok, gone), r);
    assertEquals(List.of(), carrier.broadcastAll(List.of()));
  }

  @Test
  void nullsAreRefusedBeforeAnythingIsSent() {
    OneByOne carrier = new OneByOne(Map.of());
    assertThrows(NullPointerException.class, () -> carrier.broadcastAll(null));
    assertThrows(NullPointerException.class, () -> carrier.broadcastAll(Arrays.asList(dispute, null)));
    assertThrows(NullPointerException.class, () -> carrier.broadcastPackage(null));
    assertEquals(List.of(), carrier.sent);
  }
}
