package io.responder.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.BlockSource;
import io.responder.core.BlockSourceException;
import io.responder.core.BreachReceipt;
import io.responder.core.BreachReceipt.Disposition;
import io.responder.core.BroadcastResult;
import io.responder.core.Responder;
import io.responder.core.ResponderConfig;
import io.responder.core.TrackerState;
import io.responder.core.TrackerStatus;
import io.responder.core.TrackerStore;
import io.responder.core.TransactionTracker;
import io.responder.store.inmemory.InMemoryTrackerStore;
import io.responder.testkit.Appointment;
import io.responder.testkit.FakeChain;
import io.responder.testkit.ForwardingTrackerStore;
import io.responder.testkit.RecordingListener;
import io.responder.testkit.RecordingListener.Event;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The faults an outside review and a real bitcoind found in v1 (issue "Reliability"), each as the
 * story that broke, on the fake chain. Each test failed before its fix.
 */
class ReliabilityFindingsTest {
  private final FakeChain chain = FakeChain.atHeight(300);
  private final RecordingListener events = new RecordingListener();
  private final Random rng = new Random(1111);

  private Responder start(ResponderConfig config, TrackerStore store, BlockSource source) {
    return Responder.builder().config(config).carrier(chain).blockSource(source).store(store).listener(events).start();
  }

  private Responder start(TrackerStore store) {
    return start(ResponderConfig.defaults(), store, chain);
  }

  /** A block source over the chain that can be switched off, or made to throw what it should not. */
  private final class SwitchableSource implements BlockSource {
    volatile boolean down;
    volatile RuntimeException throwOnBest;

    private void check() {
      if (down) {
        throw new BlockSourceException("timed out", true);
      }
    }

    @Override
    public BlockRef bestBlock() {
      check();
      RuntimeException e = throwOnBest;
      if (e != null) {
        throwOnBest = null;
        throw e;
      }
      return chain.bestBlock();
    }

    @Override
    public Block block(BlockHash hash) {
      check();
      return chain.block(hash);
    }

    @Override
    public Optional<BlockHash> blockHashAt(int height) {
      check();
      return chain.blockHashAt(height);
    }
  }

  /** A store whose reads fail once when armed: a pool that cannot lend a connection. */
  private static final class FlakyReads extends ForwardingTrackerStore {
    private final TrackerStore delegate;
    boolean failNextFind;

    FlakyReads(TrackerStore delegate) {
      this.delegate = delegate;
    }

    @Override
    protected TrackerStore delegate() {
      return delegate;
    }

    @Override
    public Optional<TransactionTracker> find(UUID uuid) {
      if (failNextFind) {
        failNextFind = false;
        throw new IllegalStateException("no connection available");
      }
      return super.find(uuid);
    }
  }

  // 1. A failure inside a call leaves the state as if the call had not happened.

  @Test
  void aStoreReadFailingDuringARebroadcastLeavesTheBlockUndoneAndTheRetryRebroadcasts() {
    FlakyReads store = new FlakyReads(new InMemoryTrackerStore());
    Responder r = start(store);
    Appointment a = Appointment.random(rng);
    Block disputeBlock = chain.mineTransactions(a.dispute());
    r.onBlock(disputeBlock);
    r.handleBreach(a.breach(disputeBlock.ref()));
    for (int i = 0; i < 5; i++) {
      r.onBlock(chain.mineEmpty());
    }
    chain.dropFromMempool(a.penalty().txid());
    chain.drainBroadcasts();

    Block sixth = chain.mineEmpty(); // the sixth missed block: the rebroadcast reads the raw penalty
    store.failNextFind = true;
    assertThrows(IllegalStateException.class, () -> r.onBlock(sixth));
    r.onBlock(sixth); // the host retries the same block

    assertEquals(List.of(a.penalty().txid()), chain.drainBroadcasts());
    assertTrue(chain.inMempool(a.penalty().txid()));
    assertEquals(sixth.ref(), r.tip());
    r.checkConsistency();
  }

  @Test
  void aBlockSourceThrowingAnUncheckedExceptionWhileLocatingAConfirmationNeverCompletesEarly() {
    SwitchableSource source = new SwitchableSource();
    Responder r = start(ResponderConfig.defaults().withIrrevocableDepth(10), new InMemoryTrackerStore(), source);
    Appointment a = Appointment.random(rng);
    Block disputeBlock = chain.mineTransactions(a.dispute());
    r.onBlock(disputeBlock);
    Block penaltyBlock = chain.mineTransactions(a.penalty()); // mined by someone else
    r.onBlock(penaltyBlock);
    chain.txindex(false);

    source.throwOnBest = new IllegalStateException("bug in the host's block source");
    BreachReceipt receipt = r.handleBreach(a.breach(disputeBlock.ref()));

    assertTrue(receipt.tracked(), receipt.toString());
    for (int i = 0; i < 8; i++) {
      r.onBlock(chain.mineEmpty());
    }
    assertEquals(List.of(), events.uuids(Event.Completed.class));
    r.onBlock(chain.mineEmpty()); // the penalty's tenth confirmation
    assertEquals(List.of(a.uuid()), events.uuids(Event.Completed.class));
    assertEquals(penaltyBlock.height() + 9, events.events(Event.Completed.class).get(0).tip().height());
    r.checkConsistency();
  }

  // 2. A block source failing while the carrier works: the confirmation is placed late, never early.

  @Test
  void anAlreadyConfirmedPenaltyWhoseBlockCannotBeLocatedIsLearntWhenTheSourceIsBack() {
    SwitchableSource source = new SwitchableSource();
    Responder r = start(ResponderConfig.defaults().withIrrevocableDepth(20), new InMemoryTrackerStore(), source);
    Appointment a = Appointment.random(rng);
    Block disputeBlock = chain.mineTransactions(a.dispute());
    r.onBlock(disputeBlock);
    chain.mineEmpty(10); // the Responder falls behind the node
    Block penaltyBlock = chain.mineTransactions(a.penalty()); // mined by someone else, 11 above the tip
    chain.mineEmpty(5);
    chain.txindex(false);
    source.down = true;

    BreachReceipt receipt = r.handleBreach(a.breach(disputeBlock.ref()));

    assertTrue(receipt.broadcast() instanceof BroadcastResult.AlreadyConfirmed, receipt.toString());
    assertEquals(TrackerState.PENDING, r.tracker(a.uuid()).orElseThrow().status().state());
    assertEquals(List.of(), events.uuids(Event.Confirmed.class));

    source.down = false;
    r.syncWithBlockSource();
    assertEquals(new TrackerStatus.Confirmed(penaltyBlock.ref()), r.tracker(a.uuid()).orElseThrow().status());
    while (r.tip().height() < penaltyBlock.height() + 18) {
      r.onBlock(chain.mineEmpty());
    }
    assertEquals(List.of(), events.uuids(Event.Completed.class));
    r.onBlock(chain.mineEmpty());
    assertEquals(penaltyBlock.height() + 19, events.events(Event.Completed.class).get(0).tip().height());
    r.checkConsistency();
  }

  // 3. A node one block behind the watcher: -25 is ambiguous until the dispute is confirmed.

  @Test
  void aPenaltyWhoseDisputeTheNodeHasNotSeenYetStaysPendingAndIsAcceptedWhenItArrives() {
    Responder r = start(new InMemoryTrackerStore());
    Appointment a = Appointment.random(rng);
    Appointment sibling = a.sibling(rng);
    Block watcherBlock = new Block(BlockHash.fromHex("11".repeat(32)), chain.tip().hash(), chain.tip().height() + 1,
        List.of(a.dispute().txid())); // the watcher's node has it; ours does not yet
    chain.rejectNext(a.penalty().txid(), -25, "bad-txns-inputs-missingorspent");

    BreachReceipt first = r.handleBreach(a.breachBuilder(watcherBlock.hash()).disputeRawTx((byte[]) null).build());
    BreachReceipt second = r.handleBreach(sibling.breachBuilder(watcherBlock.hash()).disputeRawTx((byte[]) null).build());

    assertEquals(Disposition.PENDING, first.disposition(), first.toString());
    assertEquals(Disposition.PENDING, second.disposition(), second.toString());
    assertEquals(List.of(), events.uuids(Event.Rejected.class));
    r.onBlock(chain.mineTransactions(a.dispute())); // the dispute reaches our node
    assertEquals(TrackerState.IN_MEMPOOL, r.tracker(a.uuid()).orElseThrow().status().state());
    assertEquals(TrackerState.IN_MEMPOOL, r.tracker(sibling.uuid()).orElseThrow().status().state());
    assertTrue(chain.inMempool(a.penalty().txid()));
    r.checkConsistency();
  }

  @Test
  void theRawDisputeIsSentBeforeThePenaltyAgainWhenTheNodeLacksIt() {
    Responder r = start(new InMemoryTrackerStore());
    Appointment a = Appointment.random(rng);
    BlockHash watcherBlock = BlockHash.fromHex("22".repeat(32));
    chain.rejectNext(a.penalty().txid(), -25, "bad-txns-inputs-missingorspent");
    chain.drainBroadcasts();

    BreachReceipt receipt = r.handleBreach(a.breachBuilder(watcherBlock).build());

    assertEquals(Disposition.TRACKED, receipt.disposition(), receipt.toString());
    assertEquals(List.of(a.penalty().txid(), a.dispute().txid(), a.penalty().txid()), chain.drainBroadcasts());
    assertTrue(chain.inMempool(a.dispute().txid()));
    assertTrue(chain.inMempool(a.penalty().txid()));
  }

  @Test
  void aBreachHandedOverWithoutItsDisputeSendsTheOneAnEarlierBreachOfThePenaltyBrought() {
    // Found by the simulation (seed 764190): the first breach of a penalty came with its raw dispute
    // while the node was down, so the penalty is pending; a second breach of the same penalty, without
    // the raw dispute, is handed over once the node is back. The node lacks the dispute (its block is
    // the watcher's): the Responder holds the dispute and sends it with this send, not a block later.
    Responder r = start(new InMemoryTrackerStore());
    Appointment a = Appointment.random(rng);
    Appointment sibling = a.sibling(rng);
    BlockHash watcherBlock = BlockHash.fromHex("33".repeat(32));
    chain.nodeDown(true);
    assertEquals(Disposition.PENDING, r.handleBreach(a.breachBuilder(watcherBlock).build()).disposition());
    r.onBlock(chain.mineEmpty()); // retried, still down; the next interval asks the node afresh
    chain.nodeDown(false);
    chain.rejectNext(a.penalty().txid(), -25, "bad-txns-inputs-missingorspent");
    chain.drainBroadcasts();

    BreachReceipt receipt = r.handleBreach(sibling.breachBuilder(watcherBlock).disputeRawTx((byte[]) null).build());

    assertEquals(Disposition.TRACKED, receipt.disposition(), receipt.toString());
    assertEquals(List.of(a.penalty().txid(), a.dispute().txid(), a.penalty().txid()), chain.drainBroadcasts());
    assertTrue(chain.inMempool(a.dispute().txid()));
    assertTrue(chain.inMempool(a.penalty().txid()));
    assertEquals(TrackerState.IN_MEMPOOL, r.tracker(a.uuid()).orElseThrow().status().state());
    assertEquals(TrackerState.IN_MEMPOOL, r.tracker(sibling.uuid()).orElseThrow().status().state());
    r.checkConsistency();
  }

  // 4. A re-mined dispute is re-sent again after a second reorganisation.

  @Test
  void aDisputeReMinedAfterAReorgIsReSentAgainWhenASecondReorgRemovesIt() {
    Responder r = start(new InMemoryTrackerStore());
    Appointment a = Appointment.random(rng);
    Block disputeBlock = chain.mineTransactions(a.dispute());
    r.onBlock(disputeBlock);
    r.handleBreach(a.breach(disputeBlock.ref()));
    r.onBlock(chain.mine()); // the penalty confirms

    // Reorg 1 takes both blocks away and the node forgets both transactions.
    replaceWithEmptyBlocksLosingTheMempool(r, a, 2, 3);
    assertEquals(List.of(a.dispute().txid(), a.penalty().txid()), chain.drainBroadcasts());
    Block c = chain.mine(); // both mined again in one block
    r.onBlock(c);
    assertEquals(new TrackerStatus.Confirmed(c.ref()), r.tracker(a.uuid()).orElseThrow().status());

    // Reorg 2 takes C away, with the mempool empty again.
    chain.disconnect(1);
    emptyMempoolOf(a);
    r.onBlock(chain.mineEmpty());
    r.onBlock(chain.mineEmpty());

    assertEquals(List.of(a.dispute().txid(), a.penalty().txid()), chain.drainBroadcasts());
    assertTrue(chain.inMempool(a.dispute().txid()));
    assertTrue(chain.inMempool(a.penalty().txid()));
    assertEquals(TrackerState.IN_MEMPOOL, r.tracker(a.uuid()).orElseThrow().status().state());
    r.checkConsistency();
  }

  @Test
  void aRebroadcastTheNodeRefusesIsNotRecordedAsInTheMempool() {
    Responder r = start(new InMemoryTrackerStore());
    Appointment a = Appointment.random(rng);
    Block disputeBlock = chain.mineTransactions(a.dispute());
    r.onBlock(disputeBlock);
    r.handleBreach(a.breach(disputeBlock.ref()));
    chain.dropFromMempool(a.penalty().txid());
    chain.rejectNext(a.penalty().txid(), -26, "mempool min fee not met");
    for (int i = 0; i < 6; i++) {
      r.onBlock(chain.mineEmpty());
    }

    assertEquals(TrackerState.PENDING, r.tracker(a.uuid()).orElseThrow().status().state());
    assertFalse(chain.inMempool(a.penalty().txid()));
    r.onBlock(chain.mineEmpty()); // retried on the next block, not six later
    assertEquals(TrackerState.IN_MEMPOOL, r.tracker(a.uuid()).orElseThrow().status().state());
    assertTrue(chain.inMempool(a.penalty().txid()));
  }

  // 5. A breach handled out of sync learns its dispute's height from the catch-up.

  @Test
  void aBreachHandledOutOfSyncLearnsItsDisputeHeightAndReSendsTheDisputeOnAReorg() {
    SwitchableSource source = new SwitchableSource();
    Responder r = start(ResponderConfig.defaults(), new InMemoryTrackerStore(), source);
    Appointment a = Appointment.random(rng);
    Block disputeBlock = chain.mineTransactions(a.dispute()); // the Responder has not seen it
    source.down = true;
    r.handleBreach(a.breach(disputeBlock.ref())); // out of sync: no dispute height
    source.down = false;
    r.onBlock(chain.mine()); // catches up through the dispute's block; the penalty confirms

    replaceWithEmptyBlocksLosingTheMempool(r, a, 2, 3);

    assertEquals(List.of(a.dispute().txid(), a.penalty().txid()), chain.drainBroadcasts());
    assertTrue(chain.inMempool(a.penalty().txid()));
  }

  // 6. Pending breaches are retried as soon as the host says the node is back.

  @Test
  void pendingPenaltiesAreRetriedWhenTheHostSyncsAfterTheNodeReturns() {
    Responder r = start(new InMemoryTrackerStore());
    Appointment a = Appointment.random(rng);
    Block disputeBlock = chain.mineTransactions(a.dispute());
    r.onBlock(disputeBlock);
    chain.nodeDown(true);
    assertEquals(Disposition.PENDING, r.handleBreach(a.breach(disputeBlock.ref())).disposition());
    chain.nodeDown(false);

    r.syncWithBlockSource(); // no new block

    assertTrue(chain.inMempool(a.penalty().txid()));
    assertEquals(TrackerState.IN_MEMPOOL, r.tracker(a.uuid()).orElseThrow().status().state());
    r.checkConsistency();
  }

  // 9. A penalty found confirmed deeper than the irrevocable depth completes at the next block.

  @Test
  void anAlreadyConfirmedPenaltyProvablyDeeperThanTheIrrevocableDepthCompletesAtTheNextBlock() {
    Responder r = start(new InMemoryTrackerStore());
    Appointment a = Appointment.random(rng);
    Block disputeBlock = chain.mineTransactions(a.dispute());
    r.onBlock(disputeBlock);
    r.onBlock(chain.mineTransactions(a.penalty())); // mined by someone else
    for (int i = 0; i < 120; i++) {
      r.onBlock(chain.mineEmpty());
    }
    chain.txindex(false);

    BreachReceipt receipt = r.handleBreach(a.breach(disputeBlock.ref()));
    assertTrue(receipt.tracked(), receipt.toString());
    Block next = chain.mineEmpty();
    r.onBlock(next);

    assertEquals(List.of(a.uuid()), events.uuids(Event.Completed.class));
    assertEquals(next.height(), events.events(Event.Completed.class).get(0).tip().height());
  }

  /**
   * A reorganisation: the last {@code depth} blocks are replaced by {@code newLength} empty ones,
   * the node forgets the breach's transactions, and the Responder is handed the new branch block by
   * block. The broadcast log starts empty at the reorganisation.
   */
  private void replaceWithEmptyBlocksLosingTheMempool(Responder r, Appointment a, int depth, int newLength) {
    chain.disconnect(depth);
    emptyMempoolOf(a);
    chain.drainBroadcasts();
    for (int i = 0; i < newLength; i++) {
      r.onBlock(chain.mineEmpty());
    }
  }

  private void emptyMempoolOf(Appointment a) {
    chain.dropFromMempool(a.penalty().txid());
    chain.dropFromMempool(a.dispute().txid());
  }
}
