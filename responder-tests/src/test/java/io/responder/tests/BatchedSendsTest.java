package io.responder.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.BlockSource;
import io.responder.core.BroadcastResult;
import io.responder.core.Carrier;
import io.responder.core.RawTransaction;
import io.responder.core.Responder;
import io.responder.core.ResponderConfig;
import io.responder.core.StatusQuery;
import io.responder.core.TrackerState;
import io.responder.core.TxStatus;
import io.responder.core.Txid;
import io.responder.store.inmemory.InMemoryTrackerStore;
import io.responder.testkit.Appointment;
import io.responder.testkit.FakeChain;
import io.responder.testkit.RecordingListener;
import io.responder.testkit.TestTransaction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A block's sends go to the carrier as one batch (issue 13): a rebroadcast storm, or the pending
 * penalties retried when a node comes back, cost one {@link Carrier#broadcastAll} call, not one round
 * trip each, and every penalty gets exactly the answer it would have got alone.
 */
class BatchedSendsTest {
  private final FakeChain chain = FakeChain.atHeight(400);
  private final Random rng = new Random(1313);

  /** Ways a carrier can fail to answer a batch of status lookups. */
  enum BadStatusBatch { THROWS, TOO_FEW_ANSWERS, NULL_ANSWERS }

  /** The chain as a carrier that counts how it is called. */
  private class CountingCarrier implements Carrier {
    final List<Integer> batches = new ArrayList<>();
    /** Every txid sent, alone or in a batch, in the order the node got them. */
    final List<Txid> sentInOrder = new ArrayList<>();
    int singles;
    int statusLookups;

    @Override
    public BroadcastResult broadcast(Txid txid, byte[] rawTransaction) {
      singles++;
      sentInOrder.add(txid);
      return chain.broadcast(txid, rawTransaction);
    }

    @Override
    public List<BroadcastResult> broadcastAll(List<RawTransaction> transactions) {
      batches.add(transactions.size());
      List<BroadcastResult> out = new ArrayList<>();
      for (RawTransaction t : transactions) {
        sentInOrder.add(t.txid());
        out.add(chain.broadcast(t.txid(), t.bytes()));
      }
      return out;
    }

    final List<Integer> statusBatches = new ArrayList<>();
    /** How {@code statusAll} fails to answer, when set. */
    @Nullable BadStatusBatch statusBatchFault;

    @Override
    public TxStatus status(Txid txid, Optional<BlockHash> inBlock) {
      statusLookups++;
      return chain.status(txid, inBlock);
    }

    @Override
    public List<TxStatus> statusAll(List<StatusQuery> queries) {
      statusBatches.add(queries.size());
      if (statusBatchFault == BadStatusBatch.THROWS) {
        throw new IllegalStateException("carrier bug");
      } else if (statusBatchFault == BadStatusBatch.TOO_FEW_ANSWERS) {
        return List.of(new TxStatus.InMempool());
      } else if (statusBatchFault == BadStatusBatch.NULL_ANSWERS) {
        return Arrays.asList(new TxStatus[queries.size()]);
      }
      List<TxStatus> out = new ArrayList<>();
      for (StatusQuery q : queries) {
        out.add(chain.status(q.txid(), q.inBlock()));
      }
      return out;
    }
  }

  @Test
  void aRebroadcastStormIsOneBatchAndEachPenaltyGetsItsOwnAnswer() {
    CountingCarrier carrier = new CountingCarrier();
    Responder r = over(carrier).start();
    List<Appointment> breaches = appointments(40);
    Block disputes = mineDisputes(r, breaches);
    breaches.forEach(a -> r.handleBreach(a.breach(disputes.ref())));
    breaches.forEach(a -> chain.dropFromMempool(a.penalty().txid())); // the node restarts with an empty mempool
    chain.rejectNext(breaches.get(7).penalty().txid(), -26, "mempool min fee not met");
    for (int i = 0; i < 5; i++) {
      r.onBlock(chain.mineEmpty());
    }
    carrier.singles = 0;

    r.onBlock(chain.mineEmpty()); // the sixth missed block: all 40 are due

    assertEquals(List.of(40), carrier.batches, "one batch for the whole storm");
    assertEquals(0, carrier.singles, "and no round trip per penalty");
    for (int i = 0; i < breaches.size(); i++) {
      Appointment a = breaches.get(i);
      TrackerState expected = i == 7 ? TrackerState.PENDING : TrackerState.IN_MEMPOOL;
      assertEquals(expected, r.tracker(a.uuid()).orElseThrow().status().state(), "breach " + i);
      assertEquals(i != 7, chain.inMempool(a.penalty().txid()), "breach " + i);
    }
    r.checkConsistency();
  }

  /**
   * A storm larger than one batch (the store's {@link io.responder.core.TrackerStore#findAllBatchSize}:
   * 10,000 by default, as the JDBC store keeps it, 1,000 for the in-memory store) is read and sent in
   * consecutive batches of that size, each penalty once, in schedule order; every tracker is told of
   * its one rebroadcast, and a refusal in the last batch still makes its penalty pending.
   */
  @ParameterizedTest(name = "batches of {0}")
  @ValueSource(ints = {7, 1_000, 10_000})
  void aStormLargerThanOneBatchIsSentInBatchesOfTheStoresSizeEachPenaltyOnce(int batch) {
    CountingCarrier carrier = new CountingCarrier();
    RecordingListener events = new RecordingListener();
    CountingStore store = batch == 1_000 ? new CountingStore() : new CountingStore(batch);
    Responder r = over(carrier).store(store).listener(events).start();
    int n = 2 * batch + 3;
    List<Appointment> breaches = appointments(n);
    Block disputes = mineDisputes(r, breaches);
    breaches.forEach(a -> r.handleBreach(a.breach(disputes.ref())));
    breaches.forEach(a -> chain.dropFromMempool(a.penalty().txid()));
    Appointment refused = breaches.get(n - 2);
    for (int i = 0; i < 5; i++) {
      r.onBlock(chain.mineEmpty());
    }
    chain.rejectNext(refused.penalty().txid(), -26, "mempool min fee not met");
    carrier.singles = 0;
    carrier.batches.clear();
    store.readSizes.clear();
    store.finds = 0;
    events.drain();

    r.onBlock(chain.mineEmpty()); // the sixth missed block: all of them are due

    assertEquals(List.of(batch, batch, 3), carrier.batches, "two full batches, then the rest");
    assertEquals(List.of(batch, batch, 3), store.readSizes, "each read from the store in one call");
    assertEquals(0, store.finds, "and no penalty read alone");
    assertEquals(0, carrier.singles);
    List<UUID> resent = events.uuids(RecordingListener.Event.Resent.class);
    assertEquals(n, resent.size(), "one rebroadcast event per tracker");
    assertEquals(n, new HashSet<>(resent).size(), "no tracker twice");
    assertEquals(TrackerState.PENDING, r.tracker(refused.uuid()).orElseThrow().status().state());
    assertEquals(n - 1, r.countsByState().get(TrackerState.IN_MEMPOOL));
    assertTrue(breaches.stream().filter(a -> a != refused).allMatch(a -> chain.inMempool(a.penalty().txid())));
    r.checkConsistency();
  }

  /**
   * Before trackers expire unconfirmed, the node is asked about each penalty (B2.3 with B3.4's
   * safety: one confirmed in a block the Responder never saw runs to completion): the status
   * lookups, then the penalties' sends in one batch, not a round trip each.
   */
  @Test
  void penaltiesAskedAboutBeforeExpiringAreSentInOneBatch() {
    CountingCarrier carrier = new CountingCarrier();
    Responder r = over(carrier).start();
    List<Appointment> breaches = breachesEndingInThreeBlocks(r, 30);
    breaches.forEach(a -> chain.dropFromMempool(a.penalty().txid()));
    r.onBlock(chain.mineEmpty());
    r.onBlock(chain.mineEmpty());
    carrier.singles = 0;

    r.onBlock(chain.mineEmpty()); // every subscription ends here

    assertEquals(List.of(30), carrier.batches, "the 30 unconfirmed penalties in one batch");
    assertEquals(0, carrier.singles, "and no round trip per penalty");
    assertTrue(breaches.stream().allMatch(a -> r.tracker(a.uuid()).isEmpty()), "then they expire");
    assertTrue(breaches.stream().allMatch(a -> chain.inMempool(a.penalty().txid())), "each sent once more");
    r.checkConsistency();
  }

  /**
   * A penalty the node answers is in its mempool cannot be mined on its chain (every rung spends the
   * same outpoints), so the status lookup settles it: its trackers expire with nothing sent, where
   * sending would cost a round trip per penalty for an answer already known.
   */
  @Test
  void penaltiesTheNodeHoldsAreNotSentBeforeExpiring() {
    CountingCarrier carrier = new CountingCarrier();
    Responder r = over(carrier).start();
    List<Appointment> breaches = breachesEndingInThreeBlocks(r, 30);
    chain.dropFromMempool(breaches.get(0).penalty().txid()); // one the node lost: that one is sent
    r.onBlock(chain.mineEmpty());
    r.onBlock(chain.mineEmpty());
    carrier.singles = 0;
    carrier.batches.clear();
    carrier.statusLookups = 0;

    r.onBlock(chain.mineEmpty()); // every subscription ends here

    assertEquals(List.of(30), carrier.statusBatches, "each penalty asked about once, all in one call");
    assertEquals(0, carrier.statusLookups, "and no round trip per penalty");
    assertEquals(1, carrier.singles + carrier.batches.stream().mapToInt(Integer::intValue).sum(),
        "only the penalty the node does not hold is sent");
    assertTrue(chain.inMempool(breaches.get(0).penalty().txid()));
    assertTrue(breaches.stream().allMatch(a -> r.tracker(a.uuid()).isEmpty()), "then they expire");
    r.checkConsistency();
  }

  /**
   * A carrier that cannot answer the batch of status lookups (it throws, answers out of shape, or
   * answers null) has told nothing: every expiring penalty is then sent, in one batch, as one the node does not
   * hold would be (the send is what finds one mined in a block the Responder never saw).
   */
  @ParameterizedTest
  @EnumSource(BadStatusBatch.class)
  void aStatusBatchTheCarrierCannotAnswerSendsEveryExpiringPenalty(BadStatusBatch fault) {
    CountingCarrier carrier = new CountingCarrier();
    Responder r = over(carrier).start();
    List<Appointment> breaches = breachesEndingInThreeBlocks(r, 30);
    r.onBlock(chain.mineEmpty());
    r.onBlock(chain.mineEmpty());
    carrier.singles = 0;
    carrier.batches.clear();
    carrier.statusBatchFault = fault;

    r.onBlock(chain.mineEmpty()); // every subscription ends here

    assertEquals(List.of(30), carrier.statusBatches);
    assertEquals(List.of(30), carrier.batches, "all 30 sent, in one batch");
    assertEquals(0, carrier.singles);
    assertTrue(breaches.stream().allMatch(a -> r.tracker(a.uuid()).isEmpty()), "then they expire");
    r.checkConsistency();
  }

  /**
   * Pending penalties whose subscriptions end are sent once more before their trackers expire (one
   * mined meanwhile would run to completion): with the block's other expiring penalties, in one
   * batch read in one store call, not a round trip each (a node that does not answer costs one
   * timeout, not thirty).
   */
  @Test
  void pendingPenaltiesWhoseSubscriptionsEndAreSentInOneBatch() {
    CountingCarrier carrier = new CountingCarrier();
    Responder r = over(carrier).start();
    List<Appointment> breaches = appointments(30);
    Block disputes = mineDisputes(r, breaches);
    int end = disputes.height() + 1;
    for (Appointment a : breaches) {
      chain.rejectNext(a.penalty().txid(), -26, "mempool min fee not met");
      r.handleBreach(a.breachBuilder(disputes.hash()).subscriptionEndHeight(end).build());
    }
    assertEquals(30, r.countsByState().get(TrackerState.PENDING));
    carrier.singles = 0;
    carrier.batches.clear();

    r.onBlock(chain.mineEmpty()); // every subscription ends here

    assertEquals(List.of(30), carrier.batches, "the 30 pending penalties in one batch");
    assertEquals(0, carrier.singles, "and no round trip per penalty");
    assertTrue(breaches.stream().allMatch(a -> chain.inMempool(a.penalty().txid())), "each sent once more");
    assertTrue(breaches.stream().allMatch(a -> r.tracker(a.uuid()).isEmpty()), "then they expire");
    r.checkConsistency();
  }

  /**
   * A reorganisation that takes off the block of 30 disputes gives the node back the disputes and
   * the penalties batch by batch, in batches of the store's size (the in-memory store's 1,000, or 7):
   * each batch's members read in one call, its disputes sent in one carrier batch, then its penalties
   * in another, before the next batch is read; not two store reads and two round trips per penalty.
   * Each dispute still reaches the node before its penalty, and each is sent once.
   */
  @ParameterizedTest(name = "batches of {0}")
  @ValueSource(ints = {1_000, 7})
  void aReorganisationSendsBackTheDisputesThenThePenaltiesBatchByBatch(int batch) {
    CountingCarrier carrier = new CountingCarrier();
    CountingStore store = batch == 1_000 ? new CountingStore() : new CountingStore(batch);
    Responder r = over(carrier).store(store).start();
    List<Appointment> breaches = appointments(30);
    Block disputes = mineDisputes(r, breaches);
    breaches.forEach(a -> r.handleBreach(a.breach(disputes.ref())));
    r.onBlock(chain.mineEmpty());
    carrier.singles = 0;
    carrier.batches.clear();
    carrier.sentInOrder.clear();
    store.readSizes.clear();
    store.finds = 0;

    List<Block> branch = chain.reorg(2, 3); // the disputes' block and the one above it, replaced
    r.onBlock(branch.get(branch.size() - 1));

    List<Integer> reads = batch == 1_000 ? List.of(30) : List.of(7, 7, 7, 7, 2);
    List<Integer> sends = batch == 1_000 ? List.of(30, 30) : List.of(7, 7, 7, 7, 7, 7, 7, 7, 2, 2);
    assertEquals(reads, store.readSizes, "the members read in one call per batch");
    assertEquals(0, store.finds, "and none alone");
    assertEquals(sends, carrier.batches, "each batch's disputes, then its penalties");
    assertEquals(0, carrier.singles, "and no round trip per penalty");
    assertEquals(60, carrier.sentInOrder.size(), "each dispute and each penalty once");
    for (Appointment a : breaches) {
      assertTrue(carrier.sentInOrder.indexOf(a.dispute().txid()) < carrier.sentInOrder.indexOf(a.penalty().txid()),
          "the dispute before its penalty");
      assertEquals(TrackerState.IN_MEMPOOL, r.tracker(a.uuid()).orElseThrow().status().state());
      assertTrue(chain.inMempool(a.penalty().txid()));
    }
    r.checkConsistency();
  }

  /**
   * An in-memory store that counts its reads: the {@code find} calls, and the size of each
   * {@code findAll} (passed on as one call, where the forwarding store's inherited default would call
   * {@code find} for each uuid); it asks for batches of its own size when given one.
   */
  private static final class CountingStore extends io.responder.testkit.ForwardingTrackerStore {
    private final InMemoryTrackerStore store = new InMemoryTrackerStore();
    private final @Nullable Integer batchSize;
    int finds;
    final List<Integer> readSizes = new ArrayList<>();

    /** Asks for the in-memory store's batches, through the forwarding store. */
    CountingStore() {
      this.batchSize = null;
    }

    CountingStore(int batchSize) {
      this.batchSize = batchSize;
    }

    @Override
    public int findAllBatchSize() {
      return batchSize != null ? batchSize : super.findAllBatchSize();
    }

    @Override
    protected io.responder.core.TrackerStore delegate() {
      return store;
    }

    @Override
    public Optional<io.responder.core.TransactionTracker> find(UUID uuid) {
      finds++;
      return super.find(uuid);
    }

    @Override
    public List<io.responder.core.TransactionTracker> findAll(List<UUID> uuids) {
      readSizes.add(uuids.size());
      return store.findAll(uuids);
    }
  }

  /** {@code n} random appointments. */
  private List<Appointment> appointments(int n) {
    List<Appointment> breaches = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      breaches.add(Appointment.random(rng));
    }
    return breaches;
  }

  /** Mines the disputes of {@code breaches} in one block and hands it to {@code r}. */
  private Block mineDisputes(Responder r, List<Appointment> breaches) {
    Block disputes = chain.mineTransactions(breaches.stream().map(Appointment::dispute).toArray(io.responder.testkit.TestTransaction[]::new));
    r.onBlock(disputes);
    return disputes;
  }

  /** A Responder's builder over the chain, through {@code carrier}, with an in-memory store. */
  private Responder.Builder over(CountingCarrier carrier) {
    return Responder.builder().config(ResponderConfig.defaults()).carrier(carrier).blockSource(chain)
        .store(new InMemoryTrackerStore());
  }

  /**
   * Hands {@code r} {@code n} breaches whose disputes are mined in one block and whose subscriptions
   * end three blocks above it; their penalties are accepted into the chain's mempool.
   */
  private List<Appointment> breachesEndingInThreeBlocks(Responder r, int n) {
    List<Appointment> breaches = appointments(n);
    Block disputes = mineDisputes(r, breaches);
    int end = disputes.height() + 3;
    breaches.forEach(a -> r.handleBreach(a.breachBuilder(disputes.hash()).subscriptionEndHeight(end).build()));
    return breaches;
  }

  /**
   * Penalties with fee ladders go in the same batches: each as the rung its own send starts from
   * (one above the rung held, at a rebroadcast), not a round trip each.
   */
  @Test
  void aStormOfPenaltiesWithFeeLaddersIsOneBatchOfTheirNextRungs() {
    CountingCarrier carrier = new CountingCarrier();
    Responder r = over(carrier).start();
    Laddered laddered = laddered(r, 20);
    List<Appointment> breaches = laddered.channels();
    List<List<TestTransaction>> ladders = laddered.ladders();
    for (int i = 0; i < breaches.size(); i++) {
      r.handleBreach(laddered.breach(i).build());
    }
    breaches.forEach(a -> chain.dropFromMempool(a.penalty().txid())); // the node restarts with an empty mempool
    for (int i = 0; i < 5; i++) {
      r.onBlock(chain.mineEmpty());
    }
    carrier.singles = 0;
    carrier.batches.clear();

    r.onBlock(chain.mineEmpty()); // the sixth missed block: all 20 are due, each a rung higher

    assertEquals(List.of(20), carrier.batches, "one batch for the whole storm");
    assertEquals(0, carrier.singles, "and no round trip per penalty");
    assertTrue(ladders.stream().allMatch(l -> chain.inMempool(l.get(0).txid())), "each at its first variant");
    assertEquals(20, r.countsByState().get(TrackerState.IN_MEMPOOL));
    r.checkConsistency();
  }

  /**
   * Before a penalty with a fee ladder expires unconfirmed the node lacks, every rung is sent to learn
   * whether one was mined: all rungs of all such penalties in one batch.
   */
  @Test
  void everyRungOfPenaltiesWithFeeLaddersIsSentInOneBatchBeforeExpiring() {
    CountingCarrier carrier = new CountingCarrier();
    Responder r = over(carrier).start();
    Laddered laddered = laddered(r, 10);
    List<Appointment> breaches = laddered.channels();
    int end = laddered.disputes().height() + 3;
    for (int i = 0; i < breaches.size(); i++) {
      r.handleBreach(laddered.breach(i).subscriptionEndHeight(end).build());
    }
    breaches.forEach(a -> chain.dropFromMempool(a.penalty().txid()));
    r.onBlock(chain.mineEmpty());
    r.onBlock(chain.mineEmpty());
    carrier.singles = 0;
    carrier.batches.clear();

    r.onBlock(chain.mineEmpty()); // every subscription ends here

    assertEquals(List.of(30), carrier.batches, "the three rungs of each of the 10 in one batch");
    assertEquals(0, carrier.singles, "and no round trip per rung");
    assertTrue(breaches.stream().allMatch(a -> r.tracker(a.uuid()).isEmpty()), "then they expire");
    r.checkConsistency();
  }

  /**
   * Channels with fee ladders: their disputes at 10 sat/vB, penalties at 2 and rungs at 8 and 30;
   * the fundings and then the disputes mined and handed to {@code r}.
   */
  private record Laddered(List<Appointment> channels, List<List<TestTransaction>> ladders, Block disputes) {
    /** The breach of channel {@code i}, its ladder added, its deadline far away. */
    io.responder.core.Breach.Builder breach(int i) {
      io.responder.core.Breach.Builder b = channels.get(i).breachBuilder(disputes.hash()).toSelfDelay(1000);
      ladders.get(i).forEach(v -> b.addPenaltyVariant(v.raw()));
      return b;
    }
  }

  private Laddered laddered(Responder r, int n) {
    List<TestTransaction> fundings = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      fundings.add(io.responder.testkit.Transactions.funding(rng, 1_000_000));
    }
    r.onBlock(chain.mineTransactions(fundings.toArray(TestTransaction[]::new)));
    List<Appointment> channels = fundings.stream().map(f -> Appointment.withFeerates(rng, f, 0, 10, 2)).toList();
    List<List<TestTransaction>> ladders = channels.stream().map(a -> a.penaltyLadder(rng, 8, 30)).toList();
    return new Laddered(channels, ladders, mineDisputes(r, channels));
  }

  @Test
  void penaltiesMinedInBlocksNotConnectedYetAreFoundReadingEachBlockOnce() {
    chain.txindex(false); // as bitcoind's default: a confirmed transaction is found only in the block named
    CountingCarrier carrier = new CountingCarrier();
    Map<BlockHash, Integer> reads = new HashMap<>();
    int[] tipReads = {0};
    BlockSource counting = new BlockSource() {
      @Override
      public BlockRef bestBlock() {
        tipReads[0]++;
        return chain.bestBlock();
      }

      @Override
      public Block block(BlockHash hash) {
        reads.merge(hash, 1, Integer::sum);
        return chain.block(hash);
      }

      @Override
      public Optional<BlockHash> blockHashAt(int height) {
        return chain.blockHashAt(height);
      }
    };
    Responder r = Responder.builder().config(ResponderConfig.defaults()).carrier(carrier).blockSource(counting)
        .store(new InMemoryTrackerStore()).start();
    List<Appointment> breaches = appointments(30);
    Block disputes = mineDisputes(r, breaches);
    breaches.forEach(a -> r.handleBreach(a.breach(disputes.ref())));
    for (int i = 0; i < 5; i++) {
      r.onBlock(chain.mineEmpty()); // five missed blocks: the sixth makes them due
    }
    chain.mineEmpty(); // the sixth block: the node goes on without the Responder
    Block mined = chain.mine();
    assertTrue(mined.txids().containsAll(breaches.stream().map(a -> a.penalty().txid()).toList()));
    Block tip = chain.mineEmpty();
    reads.clear();
    carrier.statusLookups = 0;
    tipReads[0] = 0;

    r.onBlock(tip); // catching up: the sixth block's storm finds every penalty already mined

    for (Appointment a : breaches) {
      assertEquals(new io.responder.core.TrackerStatus.Confirmed(mined.ref()), r.tracker(a.uuid()).orElseThrow().status());
    }
    assertTrue(reads.values().stream().allMatch(n -> n <= 2),
        "each block read once to follow the chain and once to search it, at most: " + reads.values());
    assertTrue(reads.containsKey(mined.hash()), "the search read the block that holds them");
    assertFalse(reads.containsKey(disputes.hash()), "from the node's tip down, and no further than that block");
    assertEquals(1, carrier.statusLookups, "only the first penalty is looked up: the others are in the blocks it read");
    assertTrue(tipReads[0] <= 3, "the node's tip read once for all of them, after their sends: " + tipReads[0]);
    r.checkConsistency();
  }

  /**
   * The node's tip read for one search serves the next ones only while no send came after it: a
   * penalty the node mined between that read and the send that reports it is above the tip read, and
   * placing it at that tip would complete it early. Here the node mines a pending penalty just before
   * the Responder retries it, after the storm's searches read the tip.
   */
  @Test
  void aPenaltyMinedAfterTheTipWasReadIsPlacedWhereItIsNotAtThatTip() {
    chain.txindex(false);
    Appointment late = Appointment.random(rng);
    boolean[] mineBeforeRetry = {false};
    Block[] minedLate = {null};
    CountingCarrier carrier = new CountingCarrier() {
      @Override
      public BroadcastResult broadcast(Txid txid, byte[] rawTransaction) {
        if (txid.equals(late.penalty().txid())) {
          if (!mineBeforeRetry[0]) {
            return new BroadcastResult.RejectedForNow(-26, "mempool min fee not met"); // pending until then
          }
          chain.broadcast(txid, rawTransaction); // the node takes it and mines it, then hears the retry
          minedLate[0] = chain.mine();
        }
        return super.broadcast(txid, rawTransaction);
      }
    };
    Responder r = over(carrier).start();
    List<Appointment> breaches = appointments(10);
    List<Appointment> all = new ArrayList<>(breaches);
    all.add(late);
    Block disputes = mineDisputes(r, all);
    all.forEach(a -> r.handleBreach(a.breach(disputes.ref())));
    assertEquals(TrackerState.PENDING, r.tracker(late.uuid()).orElseThrow().status().state());
    for (int i = 0; i < 5; i++) {
      r.onBlock(chain.mineEmpty());
    }
    chain.mineEmpty(); // the sixth block, where the ten are due again: the Responder is away
    Block mined = chain.mine(); // the ten
    Block tip = chain.mineEmpty();
    mineBeforeRetry[0] = true;

    r.onBlock(tip); // the storm's searches read the node's tip; then the pending one is retried

    for (Appointment a : breaches) {
      assertEquals(new io.responder.core.TrackerStatus.Confirmed(mined.ref()), r.tracker(a.uuid()).orElseThrow().status());
    }
    assertEquals(new io.responder.core.TrackerStatus.Confirmed(minedLate[0].ref()),
        r.tracker(late.uuid()).orElseThrow().status(), "in the block the node mined it in, above the tip read before");
    r.checkConsistency();
  }

  /** Pending penalties are retried in one batch; those with fee ladders each at the rung its send starts from. */
  @ParameterizedTest(name = "with fee ladders: {0}")
  @ValueSource(booleans = {false, true})
  void pendingPenaltiesRetriedTogetherAreOneBatch(boolean ladders) {
    CountingCarrier carrier = new CountingCarrier();
    Responder r = over(carrier).start();
    List<Appointment> breaches;
    List<io.responder.core.Breach> handed = new ArrayList<>();
    if (ladders) {
      Laddered laddered = laddered(r, 12);
      breaches = laddered.channels();
      for (int i = 0; i < breaches.size(); i++) {
        handed.add(laddered.breach(i).build());
      }
    } else {
      breaches = appointments(12);
      Block disputes = mineDisputes(r, breaches);
      breaches.forEach(a -> handed.add(a.breach(disputes.ref())));
    }
    chain.nodeDown(true);
    handed.forEach(r::handleBreach);
    chain.nodeDown(false);
    carrier.singles = 0;

    r.onBlock(chain.mineEmpty());

    assertEquals(List.of(12), carrier.batches);
    assertEquals(0, carrier.singles);
    assertTrue(breaches.stream().allMatch(a -> chain.inMempool(a.penalty().txid())));
    assertEquals(12, r.countsByState().get(TrackerState.IN_MEMPOOL));
  }

}
