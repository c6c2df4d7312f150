package io.responder.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.Block;
import io.responder.core.BroadcastResult;
import io.responder.core.Responder;
import io.responder.core.ResponderConfig;
import io.responder.core.ResponderHealth;
import io.responder.core.TrackerState;
import io.responder.core.TransactionTracker;
import io.responder.store.inmemory.InMemoryTrackerStore;
import io.responder.testkit.Appointment;
import io.responder.testkit.FakeChain;
import io.responder.testkit.sim.FaultyTrackerStore;
import io.responder.testkit.sim.FaultyTrackerStore.CommitFault;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Trackers by state are counted incrementally, by the transitions that change them, and never by a
 * walk. After every step of random stories (breaches alone and sharing a penalty, refused ones,
 * subscriptions ending, blocks with and without the penalties, gaps, reorganisations, evictions, node
 * outages, failed commits and restarts) the counts the health and the metrics report must equal a
 * full walk of the store. Seeds are fixed; a failure names the seed and the step.
 */
class TrackerCountsPropertyTest {
  private static final int STEPS = 200;

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 15, 2026})
  void countsByStateEqualAFullWalkAfterEveryStep(long seed) {
    Random rng = new Random(seed);
    FakeChain chain = FakeChain.atHeight(400);
    FaultyTrackerStore store = new FaultyTrackerStore(new InMemoryTrackerStore());
    RecordingMetrics metrics = new RecordingMetrics();
    ResponderConfig config = ResponderConfig.defaults().withIrrevocableDepth(16).withRebroadcastAfterMissed(3);
    Responder responder = start(config, chain, store, metrics);
    List<Appointment> handedOver = new ArrayList<>();
    List<String> story = new ArrayList<>();
    Map<TrackerState, Integer> peak = new EnumMap<>(TrackerState.class);
    Map<TrackerState, Integer> before = walk(responder);

    for (int step = 0; step < STEPS; step++) {
      String what = act(rng, chain, store, responder, handedOver);
      if (what.equals("restart")) {
        responder = start(config, chain, store, metrics);
      }
      story.add(what);
      String where = "seed " + seed + ", step " + step + " (" + what + "), the steps before: "
          + story.subList(Math.max(0, story.size() - 20), story.size());
      // The counts are published at the end of each call that leaves memory agreeing with the store
      // and read without the lock. After a failed commit memory is stale until the next call reloads
      // it, and a commit whose acknowledgement was lost may have applied: the counts are then still
      // those of the call before, and the next call that succeeds catches up.
      Map<TrackerState, Integer> counted = responder.countsByState();
      Map<TrackerState, Integer> walked = walk(responder);
      ResponderHealth health = responder.health();
      if (what.startsWith("commit fails")) {
        assertTrue(counted.equals(walked) || counted.equals(before), where + ": " + counted);
        assertEquals(counted, health.countsByState(), where);
      } else {
        assertEquals(walked, counted, where);
        assertEquals(walked, health.countsByState(), where);
      }
      assertSame(health, metrics.lastHealth(), where);
      before = walked;
      walked.forEach((state, n) -> peak.merge(state, n, Math::max));
      responder.checkConsistency();
    }
    assertTrue(peak.values().stream().allMatch(n -> n >= 1), "every state was reached: " + peak);
    assertTrue(story.contains("restart") && story.stream().anyMatch(s -> s.startsWith("commit fails")),
        "the story exercised restarts and failed commits: " + story);
  }

  private static Responder start(ResponderConfig config, FakeChain chain, FaultyTrackerStore store, RecordingMetrics metrics) {
    store.clearFaults();
    return Responder.builder().config(config).carrier(chain).blockSource(chain).store(store).metrics(metrics).start();
  }

  /** One random step; returns what it did. Failures the step provokes are expected and caught. */
  private static String act(Random rng, FakeChain chain, FaultyTrackerStore store, Responder responder,
      List<Appointment> handedOver) {
    int dice = rng.nextInt(100);
    if (!chain.isReachable() && rng.nextInt(3) == 0) {
      chain.nodeDown(false); // outages last a few steps
    }
    try {
      if (dice < 25) {
        int n = 1 + rng.nextInt(3);
        for (int i = 0; i < n; i++) {
          handOver(rng, chain, responder, handedOver);
        }
        return "breach x" + n;
      } else if (dice < 45) {
        responder.onBlock(chain.mine());
        return "mine";
      } else if (dice < 60) {
        responder.onBlock(chain.mineEmpty());
        return "empty";
      } else if (dice < 66) {
        chain.mine();
        responder.onBlock(chain.mineEmpty());
        return "gap";
      } else if (dice < 74) {
        int depth = 1 + rng.nextInt(3);
        chain.reorg(depth, depth + rng.nextInt(2));
        responder.onBlock(chain.blockAt(chain.tip().height()));
        return "reorg " + depth;
      } else if (dice < 80) {
        if (!handedOver.isEmpty()) {
          chain.dropFromMempool(handedOver.get(rng.nextInt(handedOver.size())).penalty().txid());
        }
        return "evict";
      } else if (dice < 87) {
        boolean down = chain.isReachable();
        chain.nodeDown(down);
        return down ? "node down" : "node up";
      } else if (dice < 94) {
        store.failNextCommit(rng.nextBoolean() ? CommitFault.APPLY_NOTHING : CommitFault.APPLY_THEN_THROW);
        try {
          responder.onBlock(chain.mine());
        } finally {
          store.clearFaults();
        }
        return "commit fails, none";
      } else {
        return "restart";
      }
    } catch (FaultyTrackerStore.InjectedFailure | io.responder.core.BlockSourceException e) {
      store.clearFaults();
      return (dice >= 87 && dice < 94 ? "commit fails" : "failed") + " (" + e.getClass().getSimpleName() + ")";
    }
  }

  private static void handOver(Random rng, FakeChain chain, Responder responder, List<Appointment> handedOver) {
    Appointment a = handedOver.isEmpty() || rng.nextInt(4) > 0 ? Appointment.random(rng)
        : handedOver.get(rng.nextInt(handedOver.size())).sibling(rng);
    Block seen = chain.confirmationHeight(a.dispute().txid()).isPresent()
        ? chain.blockAt(chain.confirmationHeight(a.dispute().txid()).getAsInt())
        : chain.mineTransactions(a.dispute());
    responder.onBlock(seen);
    var breach = a.breachBuilder(seen.hash());
    if (rng.nextInt(4) == 0) {
      breach.subscriptionEndHeight(seen.height() + 1 + rng.nextInt(6));
    }
    int answer = rng.nextInt(10);
    if (answer == 0) {
      chain.rejectNext(a.penalty().txid(), -22, "TX decode failed");
    } else if (answer <= 2) {
      chain.scriptBroadcast(a.penalty().txid(), new BroadcastResult.RejectedForNow(-26, "min relay fee not met"));
    }
    responder.handleBreach(breach.build());
    handedOver.add(a);
  }

  /** The counts the slow way: every tracker in the store. */
  private static Map<TrackerState, Integer> walk(Responder responder) {
    Map<TrackerState, Integer> counts = new EnumMap<>(TrackerState.class);
    for (TrackerState s : TrackerState.values()) {
      counts.put(s, 0);
    }
    for (TransactionTracker t : responder.trackers()) {
      counts.merge(t.status().state(), 1, Integer::sum);
    }
    return counts;
  }
}
