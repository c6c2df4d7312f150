package io.responder.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.Block;
import io.responder.core.BlockRef;
import io.responder.core.Breach;
import io.responder.core.BreachReceipt;
import io.responder.core.Responder;
import io.responder.core.ResponderConfig;
import io.responder.core.TrackerStatus;
import io.responder.core.TransactionTracker;
import io.responder.store.inmemory.InMemoryTrackerStore;
import io.responder.testkit.Appointment;
import io.responder.testkit.FakeChain;
import io.responder.testkit.RecordingListener;
import io.responder.testkit.RecordingListener.Event;
import io.responder.testkit.ResponderInvariants;
import io.responder.testkit.TestTransaction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * B6 under stress: four watcher threads hand over 200 breaches (siblings sharing penalties across
 * threads, the same breach from two threads) while a chain thread mines and delivers 40 blocks with a
 * reorganisation, and a query thread reads trackers, counts, the tip and checks consistency
 * throughout. Then every accepted breach must be tracked exactly once, and the outcome must equal a
 * replay of the same breaches and blocks on one thread.
 *
 * <p>"Equal" has to allow for the interleaving: it decides at which height each breach was taken in,
 * so in-mempool heights and the block at which a late breach completes differ. What cannot differ is
 * which breaches are tracked, the block each penalty is confirmed in (the chain's contents do not
 * depend on who broadcast what: every block is mined with fixed transactions), and, once one more
 * block follows the last hand-over, which trackers have completed.
 */
class StressTest {
  static final int WATCHERS = 4;
  static final int PER_WATCHER = 50;
  static final int DEPTH = 12;

  @RegisterExtension
  final ResponderInvariants invariants = new ResponderInvariants();

  /** A chain step, replayed identically on another chain from the same start. */
  interface ChainStep {
    List<Block> apply(FakeChain chain);
  }

  /** One world: chain, store, listener, Responder. */
  static final class World {
    final FakeChain chain = FakeChain.atHeight(300);
    final InMemoryTrackerStore store = new InMemoryTrackerStore();
    final RecordingListener events = new RecordingListener();
    final Responder responder = Responder.builder().config(ResponderConfig.defaults().withIrrevocableDepth(DEPTH))
        .carrier(chain).blockSource(chain).store(store).listener(events).start();

    /** Per uuid: "completed", or the state and, when confirmed, the confirming block. */
    Map<UUID, String> outcome(Set<UUID> accepted) {
      Map<UUID, String> out = new TreeMap<>();
      Set<UUID> completed = new LinkedHashSet<>(events.uuids(Event.Completed.class));
      for (UUID u : accepted) {
        TransactionTracker t = store.find(u).orElse(null);
        if (t == null) {
          out.put(u, completed.contains(u) ? "completed" : "LOST");
        } else if (t.status() instanceof TrackerStatus.Confirmed c) {
          out.put(u, "confirmed at " + c.block());
        } else {
          out.put(u, t.status().state().toString());
        }
      }
      return out;
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
  void concurrentCallsEndAsASequentialReplayDoes(long seed) throws Exception {
    Random rng = new Random(seed);
    World concurrent = new World();
    invariants.watch(concurrent.responder).watch(concurrent.chain);

    // The breaches: fresh ones, siblings of earlier ones (often handed over by another thread), and
    // the same breach again from another thread.
    List<Appointment> fresh = new ArrayList<>();
    List<List<Appointment>> work = new ArrayList<>();
    for (int w = 0; w < WATCHERS; w++) {
      work.add(new ArrayList<>());
    }
    for (int i = 0; i < WATCHERS * PER_WATCHER; i++) {
      int roll = rng.nextInt(100);
      Appointment a;
      if (fresh.isEmpty() || roll < 70) {
        a = Appointment.random(rng);
        fresh.add(a);
      } else if (roll < 88) {
        a = fresh.get(rng.nextInt(fresh.size())).sibling(rng);
      } else {
        a = fresh.get(rng.nextInt(fresh.size())); // handed over twice
      }
      work.get(i % WATCHERS).add(a);
    }
    List<TestTransaction> disputes = fresh.stream().map(Appointment::dispute).toList();

    // The chain: all disputes in one block, then blocks that confirm a few penalties each (mined
    // with fixed transactions, as if other towers had broadcast them), a reorganisation of depth 3
    // that moves some of them, and more blocks.
    List<ChainStep> plan = new ArrayList<>();
    plan.add(c -> List.of(c.mineTransactions(disputes.toArray(TestTransaction[]::new))));
    List<Appointment> shuffled = new ArrayList<>(fresh);
    Collections.shuffle(shuffled, rng);
    int next = 0;
    for (int b = 0; b < 40; b++) {
      int count = b % 4 == 0 ? 3 : 0;
      List<TestTransaction> penalties = new ArrayList<>();
      for (int k = 0; k < count && next < shuffled.size() / 2; k++) {
        penalties.add(shuffled.get(next++).penalty());
      }
      TestTransaction[] txs = penalties.toArray(TestTransaction[]::new);
      plan.add(c -> List.of(c.mineTransactions(txs)));
      if (b == 25) {
        TestTransaction moved = shuffled.get(next++).penalty();
        plan.add(c -> {
          c.disconnect(3);
          List<Block> branch = new ArrayList<>(c.mineEmpty(2));
          branch.add(c.mineTransactions(moved));
          branch.add(c.mineTransactions());
          return branch;
        });
      }
    }
    Breach[][] breaches = new Breach[WATCHERS][];
    BlockRef[] disputeBlock = new BlockRef[1];

    // Concurrent run.
    List<BreachReceipt> receipts = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(WATCHERS + 2);
    try {
      disputeBlock[0] = plan.get(0).apply(concurrent.chain).get(0).ref();
      concurrent.responder.onBlock(concurrent.chain.blockAt(disputeBlock[0].height()));
      for (int w = 0; w < WATCHERS; w++) {
        breaches[w] = work.get(w).stream().map(a -> a.breach(disputeBlock[0])).toArray(Breach[]::new);
      }
      CountDownLatch go = new CountDownLatch(1);
      AtomicBoolean done = new AtomicBoolean();
      List<Future<?>> tasks = new ArrayList<>();
      for (int w = 0; w < WATCHERS; w++) {
        Breach[] mine = breaches[w];
        tasks.add(pool.submit(() -> {
          go.await();
          for (Breach b : mine) {
            receipts.add(concurrent.responder.handleBreach(b));
          }
          return null;
        }));
      }
      tasks.add(pool.submit(() -> {
        go.await();
        for (ChainStep step : plan.subList(1, plan.size())) {
          List<Block> blocks = step.apply(concurrent.chain);
          concurrent.responder.onBlock(blocks.get(blocks.size() - 1));
        }
        return null;
      }));
      Future<?> queries = pool.submit(() -> {
        go.await();
        while (!done.get()) {
          concurrent.responder.trackers();
          concurrent.responder.countsByState();
          concurrent.responder.tip();
          concurrent.responder.tracker(work.get(0).get(0).uuid());
          concurrent.responder.checkConsistency();
        }
        return null;
      });
      go.countDown();
      for (Future<?> f : tasks) {
        f.get(60, TimeUnit.SECONDS);
      }
      done.set(true);
      queries.get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    Block after = concurrent.chain.mineEmpty(); // one block after the last hand-over
    concurrent.responder.onBlock(after);

    // Every accepted breach is tracked exactly once.
    Set<UUID> accepted = new LinkedHashSet<>();
    for (BreachReceipt r : receipts) {
      assertTrue(r.tracked(), r.toString());
      accepted.add(r.uuid());
    }
    Set<UUID> handedOver = new LinkedHashSet<>();
    work.forEach(list -> list.forEach(a -> handedOver.add(a.uuid())));
    assertEquals(handedOver, accepted);
    assertEquals(accepted, countByUuid(concurrent.events.events(Event.Added.class)).keySet());
    assertOneLifeAtATime(concurrent.events.events());
    for (Event.Completed e : concurrent.events.events(Event.Completed.class)) {
      int confirmedAt = concurrent.chain.confirmationHeight(e.penaltyTxid()).orElseThrow();
      assertTrue(e.tip().height() - confirmedAt + 1 >= DEPTH, "completed early: " + e);
    }

    // The same breaches and blocks on one thread: the disputes' block, every breach, the blocks.
    World sequential = new World();
    invariants.watch(sequential.responder).watch(sequential.chain);
    Block d = plan.get(0).apply(sequential.chain).get(0);
    assertEquals(disputeBlock[0], d.ref(), "the replayed chain is the same chain");
    sequential.responder.onBlock(d);
    for (Breach[] mine : breaches) {
      for (Breach b : mine) {
        sequential.responder.handleBreach(b);
      }
    }
    for (ChainStep step : plan.subList(1, plan.size())) {
      for (Block b : step.apply(sequential.chain)) {
        sequential.responder.onBlock(b);
      }
    }
    Block sequentialAfter = sequential.chain.mineEmpty();
    assertEquals(after.ref(), sequentialAfter.ref());
    sequential.responder.onBlock(sequentialAfter);

    assertEquals(sequential.outcome(accepted), concurrent.outcome(accepted));
    assertEquals(sequential.responder.tip(), concurrent.responder.tip());
    assertEquals(sequential.responder.countsByState(), concurrent.responder.countsByState());
  }

  /**
   * Each uuid is added once and ends (completes) at most once per life: a breach handed over again
   * after its tracker completed starts a new life, but never while one is running.
   */
  static void assertOneLifeAtATime(List<Event> events) {
    Map<UUID, Boolean> live = new HashMap<>();
    for (Event e : events) {
      if (e instanceof Event.Added a) {
        assertTrue(live.put(a.uuid(), Boolean.TRUE) != Boolean.TRUE, "tracked twice at once: " + e);
      } else if (e instanceof Event.Completed || e instanceof Event.Expired || e instanceof Event.Rejected) {
        assertTrue(live.put(((RecordingListener.OfTracker) e).uuid(), Boolean.FALSE) == Boolean.TRUE,
            "ended while not tracked: " + e);
      }
    }
  }

  static Map<UUID, Long> countByUuid(List<? extends RecordingListener.OfTracker> events) {
    Map<UUID, Long> out = new HashMap<>();
    events.forEach(e -> out.merge(e.uuid(), 1L, Long::sum));
    return out;
  }
}
