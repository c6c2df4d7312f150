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
  final class OneByOne implements Carrier {
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

    final List<StatusQuery> asked = new ArrayList<>();

    @Override
    public TxStatus status(Txid txid, Optional<BlockHash> inBlock) {
      asked.add(new StatusQuery(txid, inBlock));
      return txid.equals(penalty.txid()) ? new TxStatus.InMempool() : new TxStatus.NotFound();
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
  void statusLookupsAreAskedInOrderWithOneAnswerEach() {
    OneByOne carrier = new OneByOne(Map.of());
    BlockHash block = BlockHash.fromDisplayBytes(new byte[32]);
    List<StatusQuery> queries = List.of(new StatusQuery(dispute.txid(), Optional.of(block)),
        new StatusQuery(penalty.txid(), Optional.empty()), new StatusQuery(other.txid(), Optional.empty()));

    List<TxStatus> r = carrier.statusAll(queries);

    assertEquals(queries, carrier.asked);
    assertEquals(List.of(new TxStatus.NotFound(), new TxStatus.InMempool(), new TxStatus.NotFound()), r);
    assertEquals(List.of(), carrier.statusAll(List.of()));
  }

  @Test
  void nullsAreRefusedBeforeAnythingIsSent() {
    OneByOne carrier = new OneByOne(Map.of());
    assertThrows(NullPointerException.class, () -> carrier.broadcastAll(null));
    assertThrows(NullPointerException.class, () -> carrier.broadcastAll(Arrays.asList(dispute, null)));
    assertThrows(NullPointerException.class, () -> carrier.broadcastPackage(null));
    assertThrows(NullPointerException.class, () -> carrier.statusAll(null));
    assertThrows(NullPointerException.class,
        () -> carrier.statusAll(Arrays.asList(new StatusQuery(dispute.txid(), Optional.empty()), null)));
    assertEquals(List.of(), carrier.sent);
    assertEquals(List.of(), carrier.asked);
  }
}
