package io.responder.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.BroadcastResult;
import io.responder.core.Carrier;
import io.responder.core.PackageResult;
import io.responder.core.RawTransaction;
import io.responder.core.Responder;
import io.responder.core.ResponderConfig;
import io.responder.core.StoreUpdate;
import io.responder.core.TrackerStore;
import io.responder.core.TransactionPackage;
import io.responder.core.TxStatus;
import io.responder.core.Txid;
import io.responder.store.inmemory.InMemoryTrackerStore;
import io.responder.testkit.Appointment;
import io.responder.testkit.FakeChain;
import io.responder.testkit.ForwardingTrackerStore;
import io.responder.testkit.ResponderInvariants;
import io.responder.testkit.sim.FaultyTrackerStore;
import io.responder.testkit.sim.FaultyTrackerStore.CommitFault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The meters on a real Micrometer registry, measuring a real Responder on the test kit's fake chain
 * through breaches, blocks, a rebroadcast, a carrier failure, a store failure and a reorganisation.
 * The registry's clock is a {@link MockClock} that the ports move (each carrier call takes 3 ms, each
 * commit 2 ms), so every duration is exact.
 */
@ExtendWith(ResponderInvariants.class)
class ResponderMetersTest {
  static final Duration SEND = Duration.ofMillis(3);
  static final Duration COMMIT = Duration.ofMillis(2);

  final MockClock clock = new MockClock();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
  final FakeChain chain = FakeChain.atHeight(500);
  final FaultyTrackerStore faulty = new FaultyTrackerStore(new InMemoryTrackerStore());
  final Random rng = new Random(15);
  /** When set, the carrier's next broadcast throws (a connection reset, say). */
  boolean failNextBroadcast;

  final Carrier carrier = new Carrier() {
    @Override
    public BroadcastResult broadcast(Txid txid, byte[] rawTransaction) {
      clock.add(SEND);
      if (failNextBroadcast) {
        failNextBroadcast = false;
        throw new IllegalStateException("connection reset");
      }
      return chain.broadcast(txid, rawTransaction);
    }

    @Override
    public List<BroadcastResult> broadcastAll(List<RawTransaction> transactions) {
      clock.add(SEND);
      return chain.broadcastAll(transactions);
    }

    @Override
    public PackageResult broadcastPackage(TransactionPackage transactionPackage) {
      clock.add(SEND);
      return chain.broadcastPackage(transactionPackage);
    }

    @Override
    public TxStatus status(Txid txid, Optional<BlockHash> inBlock) {
      clock.add(SEND);
      return chain.status(txid, inBlock);
    }
  };

  final TrackerStore store = new ForwardingTrackerStore() {
    @Override
    protected TrackerStore delegate() {
      return faulty;
    }

    @Override
    public void commit(StoreUpdate update) {
      clock.add(COMMIT);
      super.commit(update);
    }
  };

  final Responder responder = Responder.builder().config(ResponderConfig.defaults().withIrrevocableDepth(10))
      .carrier(carrier).blockSource(chain).store(store).metrics(new ResponderMeters(registry)).start();

  Appointment breached() {
    Appointment a = Appointment.random(rng);
    responder.onBlock(chain.mineTransactions(a.dispute()));
    return a;
  }

  void mineEmpty(int n) {
    for (int i = 0; i < n; i++) {
      responder.onBlock(chain.mineEmpty());
    }
  }

  Timer call(String port, String call, String outcome) {
    return registry.get(ResponderMeters.PORT_CALLS).tags("port", port, "call", call, "outcome", outcome).timer();
  }

  double events(String event) {
    return registry.get(ResponderMeters.TRACKER_EVENTS).tag("event", event).counter().count();
  }

  double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  double trackers(String state) {
    return registry.get(ResponderMeters.TRACKERS).tag("state", state).gauge().value();
  }

  @Test
  void theMetersFollowAStoryOfBreachesBlocksARebroadcastACarrierFailureAStoreFailureAndAReorg() {
    Appointment a = breached();
    responder.handleBreach(a.breach(chain.tip()));
    Appointment b = breached();
    responder.handleBreach(b.breach(chain.tip()));
    responder.onBlock(chain.mine()); // a and b confirmed
    assertEquals(2, trackers("confirmed"));

    Appointment c = breached();
    failNextBroadcast = true;
    responder.handleBreach(c.breach(chain.tip())); // the carrier throws: c is pending
    assertEquals(1, trackers("pending"));
    assertEquals(0, gauge(ResponderMeters.NODE_REACHABLE));
    mineEmpty(1); // retried and accepted
    assertEquals(1, gauge(ResponderMeters.NODE_REACHABLE));
    assertEquals(1, trackers("in_mempool"));

    chain.dropFromMempool(c.penalty().txid());
    mineEmpty(6); // c rebroadcast after 6 missed blocks; a and b complete

    Block next = chain.mineEmpty();
    faulty.failNextCommit(CommitFault.APPLY_NOTHING);
    assertThrows(FaultyTrackerStore.InjectedFailure.class, () -> responder.onBlock(next));
    assertEquals(0, gauge(ResponderMeters.STORE_WRITABLE));
    assertEquals(1, gauge(ResponderMeters.BLOCKS_BEHIND));
    responder.onBlock(next); // handed over again
    assertEquals(1, gauge(ResponderMeters.STORE_WRITABLE));

    chain.reorg(1, 2);
    responder.onBlock(chain.blockAt(chain.tip().height()));

    // Sends: a, b, c (threw), c's retry, c's rebroadcast.
    assertEquals(4, call("carrier", "broadcast", "success").count());
    assertEquals(4 * SEND.toNanos(), call("carrier", "broadcast", "success").totalTime(TimeUnit.NANOSECONDS));
    assertEquals(1, call("carrier", "broadcast", "failure").count());
    assertEquals(SEND.toNanos(), call("carrier", "broadcast", "failure").totalTime(TimeUnit.NANOSECONDS));
    // Commits: the fresh store's tip, 3 breaches, 14 blocks (501 to 512, then 512 and 513 of the new
    // branch) and the disconnection; one failed.
    assertEquals(19, call("store", "commit", "success").count());
    assertEquals(19 * COMMIT.toNanos(), call("store", "commit", "success").totalTime(TimeUnit.NANOSECONDS));
    assertEquals(1, call("store", "commit", "failure").count());
    assertEquals(2, call("store", "load_trackers", "success").count(), "at start, and the reload after the failure");
    assertEquals(2, call("block_source", "block", "success").count(), "the new branch, fetched to connect it");

    Timer committed = registry.get(ResponderMeters.BLOCK_PROCESSING).tag("outcome", "committed").timer();
    Timer failed = registry.get(ResponderMeters.BLOCK_PROCESSING).tag("outcome", "failed").timer();
    assertEquals(14, committed.count());
    // Each block's commit, plus the retry and the rebroadcast sent inside blocks.
    assertEquals(14 * COMMIT.toNanos() + 2 * SEND.toNanos(), committed.totalTime(TimeUnit.NANOSECONDS));
    assertEquals(1, failed.count());
    assertEquals(COMMIT.toNanos(), failed.totalTime(TimeUnit.NANOSECONDS));

    assertEquals(3, events("tracker_added"));
    assertEquals(2, events("penalty_confirmed"));
    assertEquals(2, events("penalty_rebroadcast"), "the retry and the rebroadcast");
    assertEquals(1, events("pending_retried"));
    assertEquals(2, events("tracker_completed"));
    assertEquals(0, events("penalty_escalated"));
    assertEquals(1, registry.get(ResponderMeters.BLOCKS_DISCONNECTED).counter().count());

    assertEquals(0, trackers("pending"));
    assertEquals(1, trackers("in_mempool"));
    assertEquals(0, trackers("confirmed"));
    assertEquals(chain.tip().height(), gauge(ResponderMeters.TIP_HEIGHT));
    assertEquals(0, gauge(ResponderMeters.BLOCKS_BEHIND));
    assertEquals(1, gauge(ResponderMeters.NODE_REACHABLE));
    assertEquals(1, gauge(ResponderMeters.STORE_WRITABLE));
  }

  @Test
  void twoRespondersInOneRegistryAreToldApartByTheirTags() {
    SimpleMeterRegistry shared = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
    FakeChain other = FakeChain.atHeight(700);
    Responder first = Responder.builder().carrier(chain).blockSource(chain).store(new InMemoryTrackerStore())
        .metrics(new ResponderMeters(shared, Tags.of("responder", "first"))).start();
    Responder second = Responder.builder().carrier(other).blockSource(other).store(new InMemoryTrackerStore())
        .metrics(new ResponderMeters(shared, Tags.of("responder", "second"))).start();
    Appointment a = Appointment.random(rng);
    Block seen = other.mineTransactions(a.dispute());
    second.onBlock(seen);
    second.handleBreach(a.breach(seen.ref()));

    assertEquals(500, shared.get(ResponderMeters.TIP_HEIGHT).tag("responder", "first").gauge().value());
    assertEquals(701, shared.get(ResponderMeters.TIP_HEIGHT).tag("responder", "second").gauge().value());
    assertEquals(0, shared.get(ResponderMeters.TRACKER_EVENTS).tags("responder", "first", "event", "tracker_added")
        .counter().count());
    assertEquals(1, shared.get(ResponderMeters.TRACKER_EVENTS).tags("responder", "second", "event", "tracker_added")
        .counter().count());
    assertEquals(0, first.health().trackerCount());
  }

  @Test
  void gaugesAreNotANumberUntilTheResponderStartsAndEveryMeterExistsFromTheStart() {
    SimpleMeterRegistry fresh = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
    new ResponderMeters(fresh);
    assertTrue(Double.isNaN(fresh.get(ResponderMeters.TIP_HEIGHT).gauge().value()));
    assertTrue(Double.isNaN(fresh.get(ResponderMeters.TRACKERS).tag("state", "pending").gauge().value()));
    assertEquals(0, fresh.get(ResponderMeters.TRACKER_EVENTS).tag("event", "penalty_at_risk").counter().count());
    assertEquals(0, fresh.get(ResponderMeters.PORT_CALLS).tags("call", "commit", "outcome", "failure").timer().count());
    assertThrows(NullPointerException.class, () -> new ResponderMeters(null));
  }
}
