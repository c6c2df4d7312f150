package io.responder.bitcoind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.bitcoind.BlockPoller.Poll;
import io.responder.core.Block;
import io.responder.core.BlockRef;
import io.responder.core.Breach;
import io.responder.core.BreachReceipt;
import io.responder.core.BroadcastResult;
import io.responder.core.Responder;
import io.responder.core.ResponderConfig;
import io.responder.core.ResponderListener;
import io.responder.core.TrackerStatus;
import io.responder.core.Txid;
import io.responder.store.inmemory.InMemoryTrackerStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A Responder wired to this module over real HTTP, driven by the {@link BlockPoller}, against a
 * scripted node whose chain moves: breach to completion, a node that is away when the breach comes,
 * and a reorganisation that unconfirms the penalty.
 *
 * <p>The fields {@code rpc}, {@code responder} and {@code poller} are the reference wiring for a
 * host (kept in compiled code so that it cannot rot); a host calls {@code poller.start()} where these
 * tests call {@code pollOnce()} to step the chain themselves.
 */
class BitcoindEndToEndTest {
  /** A real segwit penalty (from the regtest recordings) and the dispute it spends. */
  static final Fixture PENALTY_SENT = Fixture.load("sendrawtransaction_ok");
  static final Txid PENALTY = RecordedExchangesTest.PENALTY;
  static final Txid DISPUTE = RecordedExchangesTest.DISPUTE;
  static final int IRREVOCABLE_DEPTH = 3;

  private final FakeBitcoind node = new FakeBitcoind(100);
  private final Events events = new Events();
  private final BitcoindRpc rpc = BitcoindRpc.create(node.config().build());
  private final Responder responder = Responder.builder()
      .config(ResponderConfig.defaults().withIrrevocableDepth(IRREVOCABLE_DEPTH))
      .carrier(rpc.carrier()).blockSource(rpc.blockSource()).store(new InMemoryTrackerStore())
      .listener(events).start();
  private final BlockPoller poller = BlockPoller.create(rpc.blockSource(), responder, Duration.ofHours(1));
  private final UUID uuid = UUID.fromString("0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0");

  @AfterEach
  void stop() {
    poller.close();
    node.close();
  }

  /** The dispute is mined in a block, and the watcher hands over the breach it saw there. */
  private Breach disputeMined() {
    node.knowTransaction(PENALTY, PENALTY_SENT.firstParam());
    Block disputeBlock = node.mine(DISPUTE);
    assertEquals(Poll.ADVANCED, poller.pollOnce());
    return Breach.builder().uuid(uuid).locator(DISPUTE.locator()).disputeTxid(DISPUTE).penaltyTxid(PENALTY)
        .penaltyRawTx(PENALTY_SENT.firstParam()).userId("03" + "5e".repeat(32))
        .seenInBlock(disputeBlock.hash()).build();
  }

  private TrackerStatus status() {
    return responder.tracker(uuid).orElseThrow().status();
  }

  @Test
  void fromBreachToIrrevocableResolution() {
    Breach breach = disputeMined();

    BreachReceipt receipt = responder.handleBreach(breach);
    assertEquals(BreachReceipt.Disposition.TRACKED, receipt.disposition());
    assertEquals(new BroadcastResult.Accepted(), receipt.broadcast());
    assertTrue(node.mempool().contains(PENALTY));

    Block confirming = node.mine();
    assertEquals(Poll.ADVANCED, poller.pollOnce());
    assertEquals(new TrackerStatus.Confirmed(confirming.ref()), status());
    assertEquals(List.of("confirmed " + confirming.height()), events.take());

    node.mineEmpty(IRREVOCABLE_DEPTH - 1); // two blocks at once: the poller catches up in a batch
    assertEquals(Poll.ADVANCED, poller.pollOnce());
    assertEquals(Optional.empty(), responder.tracker(uuid));
    assertEquals(List.of("completed " + node.tip().height()), events.take());
    assertEquals(node.tip(), responder.tip());
    responder.checkConsistency();
  }

  @Test
  void aBreachWhileTheNodeIsAwayIsKeptPendingAndSentWhenItIsBack() {
    Breach breach = disputeMined();
    node.setMode(FakeBitcoind.Mode.DROPS_CONNECTIONS);

    BreachReceipt receipt = responder.handleBreach(breach);
    assertEquals(BreachReceipt.Disposition.PENDING, receipt.disposition());
    assertInstanceOf(BroadcastResult.NodeUnavailable.class, receipt.broadcast());
    assertInstanceOf(TrackerStatus.Pending.class, status());

    node.mineEmpty(1); // the chain goes on while the node cannot be reached
    assertEquals(Poll.FAILED, poller.pollOnce());
    node.setMode(FakeBitcoind.Mode.WARMING_UP); // restarting
    assertEquals(Poll.FAILED, poller.pollOnce());
    assertInstanceOf(TrackerStatus.Pending.class, status());

    node.setMode(FakeBitcoind.Mode.UP);
    assertEquals(Poll.ADVANCED, poller.pollOnce());
    assertEquals(new TrackerStatus.InMempool(node.tip().height()), status());
    assertTrue(node.mempool().contains(PENALTY));

    Block confirming = node.mine();
    assertEquals(Poll.ADVANCED, poller.pollOnce());
    assertEquals(new TrackerStatus.Confirmed(confirming.ref()), status());
    responder.checkConsistency();
  }

  @Test
  void aReorganisationUnconfirmsThePenaltyWhichIsSentAgainAndConfirmedOnTheNewBranch() {
    responder.handleBreach(disputeMined());
    Block first = node.mine();
    poller.pollOnce();
    assertEquals(new TrackerStatus.Confirmed(first.ref()), status());
    events.take();

    // The penalty's block is replaced by a longer branch without it; the node keeps it in the mempool.
    node.disconnectTip();
    node.mineWith(List.of());
    Block newTip = node.mineWith(List.of());
    assertEquals(Poll.ADVANCED, poller.pollOnce());

    assertEquals(new TrackerStatus.InMempool(first.height() - 1), status());
    assertEquals(newTip.ref(), responder.tip());
    assertEquals(List.of("disconnected " + first.height()), events.take());

    Block again = node.mine();
    assertEquals(Poll.ADVANCED, poller.pollOnce());
    assertEquals(new TrackerStatus.Confirmed(again.ref()), status());
    responder.checkConsistency();
  }

  /** The listener's story, drained by the test. */
  static final class Events implements ResponderListener {
    private final List<String> events = new ArrayList<>();

    synchronized List<String> take() {
      List<String> out = List.copyOf(events);
      events.clear();
      return out;
    }

    @Override
    public synchronized void penaltyConfirmed(UUID uuid, Txid penaltyTxid, BlockRef block) {
      events.add("confirmed " + block.height());
    }

    @Override
    public synchronized void trackerCompleted(UUID uuid, Txid penaltyTxid, BlockRef tip) {
      events.add("completed " + tip.height());
    }

    @Override
    public synchronized void blocksDisconnected(BlockRef forkPoint, List<BlockRef> disconnected) {
      disconnected.forEach(b -> events.add("disconnected " + b.height()));
    }
  }
}
