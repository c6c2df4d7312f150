package io.responder.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.Block;
import io.responder.core.BreachReceipt;
import io.responder.core.TrackerPage;
import io.responder.core.Txid;
import io.responder.examples.WatchtowerHost.NodeBlock;
import io.responder.examples.WatchtowerHost.StoredAppointment;
import io.responder.store.inmemory.InMemoryTrackerStore;
import io.responder.testkit.Appointment;
import io.responder.testkit.FakeChain;
import io.responder.testkit.TestTransaction;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * How a host tests its own glue with the test kit: {@link FakeChain} stands in for bitcoind (it is
 * both the Carrier and the BlockSource), {@link Appointment} makes real, parseable transactions.
 * README.md shows the first test.
 */
class WatchtowerHostTest {
  private final FakeChain chain = FakeChain.atHeight(500);
  private final List<UUID> deleted = new ArrayList<>();
  private final WatchtowerHost host = new WatchtowerHost(chain, chain, new InMemoryTrackerStore(), deleted::add);

  // tag::test[]
  @Test
  void deletesTheAppointmentOnceItsPenaltyIsIrrevocablyResolved() {
    Appointment a = Appointment.random(new Random(1));          // a revoked commitment and its penalty
    Block disputeBlock = chain.mineTransactions(a.dispute());   // a cheater publishes the commitment
    host.onBlockConnected(nodeBlock(disputeBlock));
    host.onRevokedCommitment(stored(a, 10_000), a.dispute().txid().toHex(), hex(a.dispute().raw()),
        disputeBlock.hash().toHex());
    assertEquals(a.penalty().txid(), chain.takeBroadcast());    // the penalty reached the node

    host.onBlockConnected(nodeBlock(chain.mine()));             // it confirms...
    for (int i = 1; i < 100; i++) {
      assertEquals(List.of(), deleted);
      host.onBlockConnected(nodeBlock(chain.mineEmpty()));
    }
    assertEquals(List.of(a.uuid()), deleted);                   // ...and at 100 confirmations it is done
  }
  // end::test[]

  @Test
  void showsEveryTrackerPageByPage() {
    Random rng = new Random(3);
    List<Appointment> handedOver = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      handedOver.add(Appointment.random(rng));
    }
    Block disputeBlock = chain.mineTransactions(handedOver.stream().map(Appointment::dispute).toArray(TestTransaction[]::new));
    host.onBlockConnected(nodeBlock(disputeBlock));
    for (Appointment a : handedOver) {
      host.onRevokedCommitment(stored(a, 10_000), a.dispute().txid().toHex(), hex(a.dispute().raw()),
          disputeBlock.hash().toHex());
    }
    List<UUID> shown = new ArrayList<>();
    host.showTrackers(t -> shown.add(t.uuid()));
    assertEquals(handedOver.stream().map(Appointment::uuid).sorted(TrackerPage.ORDER).toList(), shown);
  }

  @Test
  void sendsThePenaltyAgainWhenAReorgTakesItsConfirmationAway() {
    Appointment a = Appointment.random(new Random(2));
    Block disputeBlock = chain.mineTransactions(a.dispute());
    host.onBlockConnected(nodeBlock(disputeBlock));
    host.onRevokedCommitment(stored(a, 10_000), a.dispute().txid().toHex(), hex(a.dispute().raw()),
        disputeBlock.hash().toHex());
    host.onBlockConnected(nodeBlock(chain.mine()));
    chain.drainBroadcasts();

    chain.disconnect(1);                                        // a reorg of one block...
    List<Block> branch = chain.mineEmpty(2);
    host.onBlockConnected(nodeBlock(branch.get(1)));            // ...seen only through the new tip

    assertEquals(List.of(a.penalty().txid()), chain.drainBroadcasts());
    assertTrue(chain.inMempool(a.penalty().txid()));
  }

  @Test
  void aSubscriptionThatEndsBeforeThePenaltyConfirmsDeletesTheAppointment() {
    Appointment a = Appointment.random(new Random(3));
    Block disputeBlock = chain.mineTransactions(a.dispute());
    host.onBlockConnected(nodeBlock(disputeBlock));
    BreachReceipt receipt = host.onRevokedCommitment(stored(a, disputeBlock.height() + 2),
        a.dispute().txid().toHex(), hex(a.dispute().raw()), disputeBlock.hash().toHex());
    assertTrue(receipt.tracked());

    host.onBlockConnected(nodeBlock(chain.mineEmpty()));        // miners ignore the penalty
    assertEquals(List.of(), deleted);
    host.onBlockConnected(nodeBlock(chain.mineEmpty()));
    assertEquals(List.of(a.uuid()), deleted);
  }

  /** The appointment as the tower would have stored it. */
  private static StoredAppointment stored(Appointment a, int subscriptionEnd) {
    return new StoredAppointment(a.uuid().toString(), a.dispute().txid().locator().toHex(),
        a.penalty().txid().toHex(), hex(a.penalty().raw()), a.userId().toHex(), subscriptionEnd);
  }

  /** The block as the tower's node would report it. */
  private static NodeBlock nodeBlock(Block b) {
    return new NodeBlock(b.hash().toHex(), b.previousHash().toHex(), b.height(),
        b.txids().stream().map(Txid::toHex).toList());
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
