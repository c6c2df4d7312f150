package io.responder.tests;

import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.BlockSource;
import io.responder.core.Responder;
import io.responder.core.ResponderConfig;
import io.responder.core.TrackerState;
import io.responder.core.TrackerStatus;
import io.responder.core.TrackerStore;
import io.responder.core.TransactionTracker;
import io.responder.core.Txid;
import io.responder.store.inmemory.InMemoryTrackerStore;
import io.responder.testkit.Appointment;
import io.responder.testkit.FakeChain;
import io.responder.testkit.RecordingListener;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;

/**
 * The "given" of the bad-input suites: a Responder over a chain, with one tracker of each kind (a
 * penalty confirmed, one in the mempool, one pending because the node was down at intake), and a
 * snapshot of everything a bad input must leave as it was.
 */
final class Given {
  /** What must not change: the committed trackers, the tip, the counts, commits, broadcasts and events. */
  record Snapshot(Map<UUID, TrackerStatus> trackers, BlockRef tip, Map<TrackerState, Integer> counts, long commits,
      int broadcasts, int events) {}

  final FakeChain chain = FakeChain.atHeight(200);
  final InMemoryTrackerStore store = new InMemoryTrackerStore();
  final RecordingListener events = new RecordingListener();
  final Random rng = new Random(11);
  final Appointment confirmed = Appointment.random(rng);
  final Appointment waiting = Appointment.random(rng);
  final Appointment pending = Appointment.random(rng);
  Responder responder;

  Given() {
    this(chain -> chain);
  }

  /** The same story, with the Responder's block source made from the chain (a lying one, say). */
  Given(Function<FakeChain, BlockSource> sourceFor) {
    responder = start(store, sourceFor.apply(chain));
    Block d1 = chain.mineTransactions(confirmed.dispute());
    responder.onBlock(d1);
    responder.handleBreach(confirmed.breach(d1.ref()));
    responder.onBlock(chain.mine());
    Block d2 = chain.mineTransactions(waiting.dispute(), pending.dispute());
    responder.onBlock(d2);
    responder.handleBreach(waiting.breach(d2.ref()));
    chain.nodeDown(true);
    responder.handleBreach(pending.breach(d2.ref()));
    chain.nodeDown(false);
  }

  Responder start(TrackerStore s, BlockSource source) {
    return Responder.builder().config(ResponderConfig.defaults()).carrier(chain).blockSource(source).store(s)
        .listener(events).start();
  }

  Snapshot snapshot() {
    Map<UUID, TrackerStatus> trackers = new TreeMap<>();
    for (TransactionTracker t : store.snapshot().values()) {
      trackers.put(t.uuid(), t.status());
    }
    return new Snapshot(trackers, responder.tip(), responder.countsByState(), store.commitCount(),
        chain.broadcastCount(), events.events().size());
  }

  /** A block hash no chain has: random bytes from a seed. */
  static BlockHash unknownHash(long seed) {
    byte[] b = new byte[32];
    new Random(seed).nextBytes(b);
    return BlockHash.fromDisplayBytes(b);
  }

  /** A txid no chain has. */
  static Txid unknownTxid(long seed) {
    return Txid.fromDisplayBytes(ByteBuffer.allocate(32).putLong(seed).putLong(~seed).array());
  }

  static Block block(BlockHash hash, BlockHash parent, int height, List<Txid> txids) {
    return new Block(hash, parent, height, txids);
  }
}
