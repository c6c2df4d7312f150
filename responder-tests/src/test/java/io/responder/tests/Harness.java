package io.responder.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.responder.core.Block;
import io.responder.core.BreachReceipt;
import io.responder.core.Responder;
import io.responder.core.ResponderConfig;
import io.responder.core.ResponderListener;
import io.responder.core.TrackerStore;
import io.responder.store.inmemory.InMemoryTrackerStore;
import io.responder.testkit.Appointment;
import io.responder.testkit.FakeChain;
import io.responder.testkit.RecordingListener;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A chain, a store, a recording listener and a Responder over them: the "given" of every story in
 * this suite. Uses only the public API of the core, the in-memory store and the test kit.
 */
final class Harness {
  final FakeChain chain;
  final InMemoryTrackerStore store = new InMemoryTrackerStore();
  final RecordingListener events = new RecordingListener();
  final Random rng;
  final ResponderConfig config;
  Responder responder;

  Harness() {
    this(ResponderConfig.defaults(), 1);
  }

  Harness(ResponderConfig config, long seed) {
    this.config = config;
    this.rng = new Random(seed);
    this.chain = FakeChain.atHeight(500);
    this.responder = start(store, events);
  }

  Responder start(TrackerStore s, ResponderListener l) {
    return Responder.builder().config(config).carrier(chain).blockSource(chain).store(s).listener(l).start();
  }

  /** Restarts the Responder over the same store, as after a process restart. */
  Responder restart() {
    responder = start(store, events);
    return responder;
  }

  /** A fresh appointment whose dispute is mined into a new block that the Responder is handed. */
  Appointment breachedAppointment() {
    Appointment a = Appointment.random(rng);
    deliver(chain.mineTransactions(a.dispute()));
    return a;
  }

  /** Hands over the breach of an appointment whose dispute is in the chain's tip. */
  BreachReceipt handOver(Appointment a) {
    return responder.handleBreach(a.breach(chain.blockAt(chain.confirmationHeight(a.dispute().txid()).orElseThrow()).ref()));
  }

  Block deliver(Block b) {
    responder.onBlock(b);
    return b;
  }

  void deliver(List<Block> blocks) {
    blocks.forEach(this::deliver);
  }

  Block mineAndDeliver() {
    return deliver(chain.mine());
  }

  void mineEmptyAndDeliver(int n) {
    for (int i = 0; i < n; i++) {
      deliver(chain.mineEmpty());
    }
  }

  /** The invariants that hold after every story: memory agrees with the store, no script left over. */
  void checkInvariants() {
    responder.checkConsistency();
    assertEquals(Map.of(), chain.unusedScripts(), "scripted broadcast answers left unused");
    assertEquals(store.size(), responder.trackerCount());
  }
}
