package io.responder.tests;

import static io.responder.core.ResponderMetrics.Event.BLOCKS_DISCONNECTED;
import static io.responder.core.ResponderMetrics.Event.BREACH_REJECTED;
import static io.responder.core.ResponderMetrics.Event.PENALTY_CONFIRMED;
import static io.responder.core.ResponderMetrics.Event.PENALTY_REBROADCAST;
import static io.responder.core.ResponderMetrics.Event.PENDING_RETRIED;
import static io.responder.core.ResponderMetrics.Event.TRACKER_ADDED;
import static io.responder.core.ResponderMetrics.Event.TRACKER_COMPLETED;
import static io.responder.core.ResponderMetrics.Event.TRACKER_EXPIRED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.BroadcastResult;
import io.responder.core.Carrier;
import io.responder.core.PackageResult;
import io.responder.core.RawTransaction;
import io.responder.core.Responder;
import io.responder.core.ResponderConfig;
import io.responder.core.FeeBumper;
import io.responder.core.FeeEstimate;
import io.responder.core.FeeEstimator;
import io.responder.core.FeeRate;
import io.responder.core.InvalidInputException;
import io.responder.core.ResponderListener;
import io.responder.core.ResponderHealth;
import io.responder.core.ResponderMetrics;
import io.responder.core.ResponderMetrics.Event;
import io.responder.core.ResponderMetrics.PortCall;
import io.responder.core.StoreUpdate;
import io.responder.core.TrackerState;
import io.responder.core.TrackerStore;
import io.responder.core.TransactionPackage;
import io.responder.core.TxStatus;
import io.responder.core.Txid;
import io.responder.store.inmemory.InMemoryTrackerStore;
import io.responder.testkit.Appointment;
import io.responder.testkit.FakeChain;
import io.responder.testkit.ForwardingTrackerStore;
import io.responder.testkit.ResponderInvariants;
import io.responder.testkit.TestTransaction;
import io.responder.testkit.Transactions;
import io.responder.testkit.sim.FaultyTrackerStore;
import io.responder.testkit.sim.FaultyTrackerStore.CommitFault;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The metrics port and the health snapshot, told a scripted story on the fake chain: every count
 * after it, port-call timings on a clock the test moves, and the health after a node outage and a
 * store failure.
 */
@ExtendWith(ResponderInvariants.class)
class MetricsTest {
  static final long SEND_NANOS = 3_000_000;
  static final long COMMIT_NANOS = 2_000_000;

  final FakeChain chain = FakeChain.atHeight(500);
  final RecordingMetrics metrics = new RecordingMetrics();
  final FaultyTrackerStore faulty = new FaultyTrackerStore(new InMemoryTrackerStore());
  final Random rng = new Random(15);

  /** The chain as a carrier whose every call takes {@link #SEND_NANOS} on the metrics' clock. */
  final Carrier slowCarrier = new Carrier() {
    @Override
    public BroadcastResult broadcast(Txid txid, byte[] rawTransaction) {
      metrics.advance(SEND_NANOS);
      return chain.broadcast(txid, rawTransaction);
    }

    @Override
    public List<BroadcastResult> broadcastAll(List<RawTransaction> transactions) {
      metrics.advance(SEND_NANOS);
      return chain.broadcastAll(transactions);
    }

    @Override
    public PackageResult broadcastPackage(TransactionPackage transactionPackage) {
      metrics.advance(SEND_NANOS);
      return chain.broadcastPackage(transactionPackage);
    }

    @Override
    public TxStatus status(Txid txid, Optional<BlockHash> inBlock) {
      metrics.advance(SEND_NANOS);
      return unanswered.contains(txid) ? new TxStatus.Unknown("the test's node does not say") : chain.status(txid, inBlock);
    }
  };

  /** The penalties whose status lookups {@link #slowCarrier} answers with {@link TxStatus.Unknown}. */
  final Set<Txid> unanswered = new HashSet<>();

  /** The store, whose commits take {@link #COMMIT_NANOS} and can be made to fail. */
  final TrackerStore slowStore = new ForwardingTrackerStore() {
    @Override
    protected TrackerStore delegate() {
      return faulty;
    }

    @Override
    public void commit(StoreUpdate update) {
      metrics.advance(COMMIT_NANOS);
      super.commit(update);
    }
  };

  final Responder responder = Responder.builder().config(ResponderConfig.defaults().withIrrevocableDepth(10))
      .carrier(slowCarrier).blockSource(chain).store(slowStore).metrics(metrics).start();

  Appointment breached() {
    Appointment a = Appointment.random(rng);
    responder.onBlock(chain.mineTransactions(a.dispute()));
    return a;
  }

  void handOver(Appointment a) {
    responder.handleBreach(a.breach(chain.tip()));
  }

  void mineEmpty(int n) {
    for (int i = 0; i < n; i++) {
      responder.onBlock(chain.mineEmpty());
    }
  }

  @Test
  void aStoryCountsEveryEventOncePerTrackerAndTimesEveryCall() {
    Appointment a = breached();
    handOver(a);
    Appointment b = breached();
    handOver(b);
    responder.onBlock(chain.mine()); // both confirmed
    Appointment c = breached();
    chain.nodeDown(true);
    handOver(c); // pending
    mineEmpty(1); // retried: still down
    chain.nodeDown(false);
    mineEmpty(1); // retried: accepted
    Appointment d = breached();
    chain.rejectNext(d.penalty().txid(), -22, "TX decode failed");
    handOver(d); // refused for good
    Appointment e = breached();
    responder.handleBreach(e.breachBuilder(chain.tip().hash()).subscriptionEndHeight(chain.tip().height() + 2).build());
    chain.dropFromMempool(c.penalty().txid());
    chain.dropFromMempool(e.penalty().txid());
    mineEmpty(6); // a and b complete; e's subscription ends; c missed 6 blocks: rebroadcast
    chain.reorg(1, 2); // one block replaced by two
    responder.onBlock(chain.blockAt(chain.tip().height()));

    assertEquals(Map.of(
        TRACKER_ADDED, 4L, // a, b, c, e (d was refused)
        PENALTY_CONFIRMED, 2L, // a and b
        PENALTY_REBROADCAST, 3L, // c's two retries and its rebroadcast after 6 missed blocks
        PENDING_RETRIED, 2L, // c, while the node was down and once it was back
        TRACKER_COMPLETED, 2L,
        TRACKER_EXPIRED, 1L,
        BREACH_REJECTED, 1L,
        BLOCKS_DISCONNECTED, 1L), metrics.counts());

    // a, b, d, e at intake; c's retry that got through and its rebroadcast; e sent once more (the
    // node is asked whether it was mined) before it expires. c at intake and its first retry failed.
    assertEquals(7, metrics.succeeded(PortCall.BROADCAST));
    assertEquals(2, metrics.failed(PortCall.BROADCAST));
    assertEquals(9 * SEND_NANOS, metrics.nanos(PortCall.BROADCAST));
    assertEquals(1, metrics.succeeded(PortCall.TX_STATUS)); // e, before it expires
    // 16 blocks, 4 trackers added, the fresh store's first tip, one disconnection.
    assertEquals(22, metrics.succeeded(PortCall.COMMIT));
    assertEquals(22 * COMMIT_NANOS, metrics.nanos(PortCall.COMMIT));
    assertEquals(1, metrics.succeeded(PortCall.LOAD_TRACKERS));
    assertEquals(2, metrics.succeeded(PortCall.BLOCK)); // the new branch, fetched to connect it

    // Every block: 501 to 512, then 512' and 513 of the new branch... 16 in all, each with its
    // commit, plus the sends made inside blocks (two retries, a rebroadcast, e's status and send).
    assertEquals(16, metrics.blocksCommitted());
    assertEquals(0, metrics.blocksFailed());
    assertEquals(16 * COMMIT_NANOS + 5 * SEND_NANOS, metrics.blockNanos());

    ResponderHealth h = responder.health();
    assertSame(h, metrics.lastHealth(), "the metrics get the snapshot health() returns");
    assertEquals(Map.of(TrackerState.PENDING, 0, TrackerState.IN_MEMPOOL, 1, TrackerState.CONFIRMED, 0), h.countsByState());
    assertEquals(chain.tip(), h.tip());
    assertEquals(OptionalInt.of(0), h.blocksBehind());
    assertTrue(h.nodeReachable());
    assertEquals(Optional.of(new ResponderHealth.Failure(PortCall.BROADCAST, "NodeUnavailable", 504)), h.lastFailure());
  }

  /** A block where three subscriptions end asks about the three penalties in one timed call. */
  @Test
  void theStatusLookupsOfABlockAreOneTimedCall() {
    List<Appointment> three = List.of(Appointment.random(rng), Appointment.random(rng), Appointment.random(rng));
    responder.onBlock(chain.mineTransactions(three.stream().map(Appointment::dispute).toArray(TestTransaction[]::new)));
    int end = chain.tip().height() + 2;
    three.forEach(a -> responder.handleBreach(a.breachBuilder(chain.tip().hash()).subscriptionEndHeight(end).build()));

    mineEmpty(2);

    assertEquals(3L, metrics.counts().get(TRACKER_EXPIRED));
    assertEquals(1, metrics.succeeded(PortCall.TX_STATUS), "one call for the three");
    assertEquals(3 * SEND_NANOS, metrics.nanos(PortCall.TX_STATUS), "the carrier's default asks one by one");
  }

  /**
   * A batch of status lookups reached the node if any answer says something: "unknown" to all of
   * them is a failed call, whichever of them the node did answer.
   */
  @Test
  void aBatchOfStatusLookupsReachedTheNodeIfAnyAnswerSaysSomething() {
    List<Appointment> three = List.of(Appointment.random(rng), Appointment.random(rng), Appointment.random(rng));
    List<Appointment> more = List.of(Appointment.random(rng), Appointment.random(rng));
    responder.onBlock(chain.mineTransactions(java.util.stream.Stream.concat(three.stream(), more.stream())
        .map(Appointment::dispute).toArray(TestTransaction[]::new)));
    int end = chain.tip().height() + 2;
    three.forEach(a -> responder.handleBreach(a.breachBuilder(chain.tip().hash()).subscriptionEndHeight(end).build()));
    more.forEach(a -> responder.handleBreach(a.breachBuilder(chain.tip().hash()).subscriptionEndHeight(end + 1).build()));
    // Two of the first three unanswered, in whatever order the block asks them; all of the next two.
    unanswered.add(three.get(0).penalty().txid());
    unanswered.add(three.get(2).penalty().txid());
    more.forEach(a -> unanswered.add(a.penalty().txid()));

    mineEmpty(2);
    assertEquals(1, metrics.succeeded(PortCall.TX_STATUS), "one answer of three reached the node");
    assertEquals(0, metrics.failed(PortCall.TX_STATUS));

    mineEmpty(1);
    assertEquals(1, metrics.succeeded(PortCall.TX_STATUS));
    assertEquals(1, metrics.failed(PortCall.TX_STATUS), "no answer of two said anything");
    assertEquals(5L, metrics.counts().get(TRACKER_EXPIRED), "unanswered or not, the subscriptions ended");
  }

  /**
   * The queries run on the caller's thread without the lock, and the port is only ever called under
   * it: their store reads are not metered (nor do they move the health).
   */
  @Test
  void queriesReadTheStoreWithoutCallingTheMetricsPort() {
    Appointment a = breached();
    handOver(a);
    long finds = metrics.succeeded(ResponderMetrics.PortCall.FIND);
    long loads = metrics.succeeded(ResponderMetrics.PortCall.LOAD_TRACKERS);
    int healths = metrics.healthChanges();

    assertTrue(responder.tracker(a.uuid()).isPresent());
    assertEquals(1, responder.trackers().size());
    assertEquals(1, responder.trackers(null, 10).trackers().size());

    assertEquals(finds, metrics.succeeded(ResponderMetrics.PortCall.FIND));
    assertEquals(loads, metrics.succeeded(ResponderMetrics.PortCall.LOAD_TRACKERS));
    assertEquals(healths, metrics.healthChanges());
  }

  @Test
  void healthFollowsANodeOutageAndTheRecovery() {
    ResponderHealth fresh = responder.health();
    assertEquals(chain.tip(), fresh.tip());
    assertEquals(OptionalInt.of(500), fresh.nodeBestHeight());
    assertTrue(fresh.isHealthy(0));
    assertEquals(Optional.empty(), fresh.lastFailure());

    Appointment a = breached();
    chain.nodeDown(true);
    handOver(a);
    ResponderHealth down = responder.health();
    assertFalse(down.nodeReachable());
    assertEquals(1, down.pending());
    assertEquals(Optional.of(new ResponderHealth.Failure(PortCall.BROADCAST, "NodeUnavailable", 501)), down.lastFailure());

    // Two blocks mined while the node is down, the second handed over: the gap cannot be filled.
    chain.mineEmpty();
    Block second = chain.mineEmpty();
    assertThrows(RuntimeException.class, () -> responder.onBlock(second));
    ResponderHealth behind = responder.health();
    assertEquals(501, behind.tip().height());
    assertEquals(OptionalInt.of(2), behind.blocksBehind());
    assertFalse(behind.isHealthy(1));
    assertTrue(behind.lastFailure().orElseThrow().call().port() == io.responder.core.ResponderMetrics.Port.BLOCK_SOURCE,
        behind.lastFailure().toString());
    assertEquals("BlockSourceException", behind.lastFailure().orElseThrow().kind());

    chain.nodeDown(false);
    responder.syncWithBlockSource();
    ResponderHealth back = responder.health();
    assertTrue(back.nodeReachable());
    assertEquals(OptionalInt.of(0), back.blocksBehind());
    assertEquals(0, back.pending());
    assertEquals(1, back.trackers(TrackerState.IN_MEMPOOL));
    assertTrue(back.isHealthy(0));
    assertEquals(behind.lastFailure(), back.lastFailure(), "the last failure stays, for the record");
  }

  @Test
  void healthFollowsAStoreFailureAndTheRecovery() {
    Appointment a = breached();
    handOver(a);
    Block confirming = chain.mine();
    faulty.failNextCommit(CommitFault.APPLY_NOTHING);
    assertThrows(FaultyTrackerStore.InjectedFailure.class, () -> responder.onBlock(confirming));

    ResponderHealth failed = responder.health();
    assertFalse(failed.storeWritable());
    assertTrue(failed.nodeReachable());
    assertEquals(Optional.of(new ResponderHealth.Failure(PortCall.COMMIT, "InjectedFailure", 501)), failed.lastFailure());
    assertEquals(501, failed.tip().height(), "the block was not committed");
    assertEquals(OptionalInt.of(1), failed.blocksBehind());
    assertEquals(1, failed.trackers(TrackerState.IN_MEMPOOL), "counts as committed, not as the failed block left memory");
    assertEquals(0, failed.trackers(TrackerState.CONFIRMED));
    assertEquals(1, metrics.blocksFailed());
    assertEquals(1, metrics.failed(PortCall.COMMIT));

    responder.onBlock(confirming); // the host hands it over again
    ResponderHealth back = responder.health();
    assertTrue(back.storeWritable());
    assertEquals(OptionalInt.of(0), back.blocksBehind());
    assertEquals(1, back.trackers(TrackerState.CONFIRMED));
    assertEquals(2, metrics.succeeded(PortCall.LOAD_TRACKERS), "the state was reloaded from the store");
  }

  @Test
  void healthIsReadWithoutWaitingForTheLock() throws Exception {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Carrier stuck = new Carrier() {
      @Override
      public BroadcastResult broadcast(Txid txid, byte[] rawTransaction) {
        inside.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return chain.broadcast(txid, rawTransaction);
      }

      @Override
      public TxStatus status(Txid txid, Optional<BlockHash> inBlock) {
        return chain.status(txid, inBlock);
      }
    };
    Responder r = Responder.builder().carrier(stuck).blockSource(chain).store(new InMemoryTrackerStore()).start();
    Appointment a = Appointment.random(rng);
    Block seen = chain.mineTransactions(a.dispute());
    r.onBlock(seen);
    ExecutorService intake = Executors.newSingleThreadExecutor();
    try {
      Future<?> handing = intake.submit(() -> r.handleBreach(a.breach(seen.ref())));
      inside.await();
      // The intake holds the lock inside the carrier: a query that takes it would wait forever here.
      ResponderHealth during = r.health();
      assertEquals(seen.ref(), during.tip());
      assertEquals(0, during.trackerCount());
      release.countDown();
      handing.get();
    } finally {
      release.countDown();
      intake.shutdownNow();
    }
    assertEquals(1, r.health().trackers(TrackerState.IN_MEMPOOL));
  }

  @Test
  void metricsThatThrowAreIgnored() {
    ResponderMetrics broken = new ResponderMetrics() {
      @Override
      public long nanoTime() {
        throw new IllegalStateException("clock broken");
      }

      @Override
      public void blockProcessed(long nanos, boolean committed) {
        throw new IllegalStateException("broken");
      }

      @Override
      public void portCalled(PortCall call, long nanos, boolean succeeded) {
        throw new IllegalStateException("broken");
      }

      @Override
      public void counted(Event event, int count) {
        throw new IllegalStateException("broken");
      }

      @Override
      public void healthChanged(ResponderHealth health) {
        throw new IllegalStateException("broken");
      }
    };
    InMemoryTrackerStore store = new InMemoryTrackerStore();
    Responder r = Responder.builder().carrier(chain).blockSource(chain).store(store).metrics(broken).start();
    Appointment a = Appointment.random(rng);
    Block seen = chain.mineTransactions(a.dispute());
    r.onBlock(seen);
    r.handleBreach(a.breach(seen.ref()));
    r.onBlock(chain.mine());

    assertEquals(TrackerState.CONFIRMED, r.tracker(a.uuid()).orElseThrow().status().state());
    assertEquals(1, r.health().trackers(TrackerState.CONFIRMED));
    r.checkConsistency();
  }

  @Test
  void withoutMetricsTheHealthIsStillKept() {
    InMemoryTrackerStore store = new InMemoryTrackerStore();
    Responder r = Responder.builder().carrier(chain).blockSource(chain).store(store).start();
    Appointment a = Appointment.random(rng);
    Block seen = chain.mineTransactions(a.dispute());
    r.onBlock(seen);
    chain.nodeDown(true);
    r.handleBreach(a.breach(seen.ref()));

    assertFalse(r.health().nodeReachable());
    assertEquals(1, r.health().pending());
    assertThrows(NullPointerException.class, () -> Responder.builder().metrics(null));
  }

  @Test
  void aHealthSnapshotIsAValue() {
    ResponderHealth h = responder.health();
    int[] counts = {1, 2, 3};
    ResponderHealth made = new ResponderHealth(h.tip(), -1, true, true, counts, Optional.empty());
    counts[0] = 99;
    assertEquals(1, made.pending(), "the counts were copied in");
    assertEquals(OptionalInt.empty(), made.blocksBehind());
    assertEquals(6, made.trackerCount());
    assertThrows(InvalidInputException.class, () -> new ResponderHealth(h.tip(), 0, true, true, new int[] {1, 2}, Optional.empty()));
    assertThrows(InvalidInputException.class, () -> new ResponderHealth(h.tip(), 0, true, true, new int[] {1, -2, 0}, Optional.empty()));
    assertThrows(InvalidInputException.class, () -> made.isHealthy(-1));
    assertThrows(UnsupportedOperationException.class, () -> made.countsByState().put(TrackerState.PENDING, 0));

    ResponderHealth same = new ResponderHealth(h.tip(), -1, true, true, new int[] {1, 2, 3}, Optional.empty());
    assertEquals(made, same);
    assertEquals(made.hashCode(), same.hashCode());
    assertNotEquals(made, new ResponderHealth(h.tip(), -1, false, true, new int[] {1, 2, 3}, Optional.empty()));
    assertNotEquals(made, new ResponderHealth(h.tip(), -1, true, true, new int[] {1, 2, 4}, Optional.empty()));
    assertNotEquals(made, new ResponderHealth(h.tip(), 7, true, true, new int[] {1, 2, 3}, Optional.empty()));
    assertNotEquals(made, new ResponderHealth(h.tip(), -1, true, true, new int[] {1, 2, 3},
        Optional.of(new ResponderHealth.Failure(PortCall.COMMIT, "SQLException", 3))));
  }

  @Test
  void feeEventsAreCountedAsTheListenerHearsThem() {
    FakeChain market = FakeChain.atHeight(300);
    Map<Event, Long> heard = new EnumMap<>(Event.class);
    ResponderListener listener = new ResponderListener() {
      @Override
      public void penaltyAtRisk(UUID uuid, Txid penaltyTxid, int deadlineHeight, int blocksLeft) {
        heard.merge(Event.PENALTY_AT_RISK, 1L, Long::sum);
      }

      @Override
      public void penaltyEscalated(UUID uuid, Txid penaltyTxid, Txid sentTxid, int rung, BroadcastResult result) {
        heard.merge(Event.PENALTY_ESCALATED, 1L, Long::sum);
      }

      @Override
      public void penaltyBumped(UUID uuid, Txid penaltyTxid, Txid childTxid, FeeRate packageFeeRate, long feeSats,
          BroadcastResult result) {
        heard.merge(Event.PENALTY_BUMPED, 1L, Long::sum);
      }

      @Override
      public void deadlinePassed(UUID uuid, Txid penaltyTxid, int deadlineHeight) {
        heard.merge(Event.DEADLINE_PASSED, 1L, Long::sum);
      }
    };
    FeeEstimator estimator = new FeeEstimator() {
      @Override
      public Optional<FeeEstimate> estimate(int blocks) {
        return Optional.of(new FeeEstimate(FeeRate.ofSatPerVbyte(40), blocks));
      }

      @Override
      public FeeRate minimum() {
        return FeeRate.ofSatPerVbyte(1);
      }
    };
    FeeBumper wallet = (penalty, target, maxFee) -> {
      long parentFee = market.fee(penalty.txid()).orElseThrow();
      TestTransaction child = Transactions.childForPackage(rng, TestTransaction.fromRaw(penalty.bytes()), parentFee, 0,
          target.satPerVbyte().doubleValue());
      return Optional.of(new FeeBumper.Bump(RawTransaction.of(child.raw()), market.fee(child.txid()).orElse(1_000)));
    };
    RecordingMetrics fees = new RecordingMetrics();
    Responder r = Responder.builder().carrier(market).blockSource(market).store(new InMemoryTrackerStore())
        .listener(listener).metrics(fees).feeEstimator(estimator).feeBumper(wallet, 20_000).start();
    TestTransaction funding = Transactions.funding(rng, 1_000_000);
    r.onBlock(market.mineTransactions(funding));
    Appointment a = Appointment.withFeerates(rng, funding, 0, 10, 2);
    List<TestTransaction> ladder = a.penaltyLadder(rng, 8);
    Block disputeBlock = market.mineTransactions(a.dispute());
    r.onBlock(disputeBlock);
    var breach = a.breachBuilder(disputeBlock.hash()).toSelfDelay(15);
    ladder.forEach(v -> breach.addPenaltyVariant(v.raw()));
    r.handleBreach(breach.build());
    market.minerMinFeerate(100); // nothing this penalty can pay gets mined

    while (r.tip().height() <= disputeBlock.height() + 15) {
      r.onBlock(market.mineEmpty());
    }

    assertEquals(1, heard.get(Event.PENALTY_AT_RISK));
    assertEquals(1, heard.get(Event.DEADLINE_PASSED));
    assertTrue(heard.getOrDefault(Event.PENALTY_ESCALATED, 0L) >= 1, heard.toString());
    assertTrue(heard.getOrDefault(Event.PENALTY_BUMPED, 0L) >= 1, heard.toString());
    for (Map.Entry<Event, Long> e : heard.entrySet()) {
      assertEquals(e.getValue(), fees.count(e.getKey()), e.getKey().toString());
    }
    assertTrue(fees.succeeded(PortCall.BROADCAST_PACKAGE) >= 1, "the children went as packages");
    r.checkConsistency();
  }
}
