package io.responder.it;

import io.responder.bitcoind.BitcoindRpc;
import io.responder.bitcoind.BlockPoller;
import io.responder.core.BlockHash;
import io.responder.core.Breach;
import io.responder.core.BreachReceipt;
import io.responder.core.Locator;
import io.responder.core.Responder;
import io.responder.core.TrackerStatus;
import io.responder.core.TrackerStore;
import io.responder.core.TransactionTracker;
import io.responder.store.inmemory.InMemoryTrackerStore;
import io.responder.testkit.RecordingListener;
import java.time.Duration;
import java.util.UUID;

/**
 * The system under test as a host wires it: a {@link Responder} on the library's
 * {@code responder-bitcoind-rpc} carrier and block source, a store, a recording listener, and a
 * {@link BlockPoller} that the test polls by hand after each change to the chain (its thread is never
 * started, so nothing happens behind the test's back).
 *
 * <p>Not thread-safe.
 */
final class Tower {
  /** Any valid compressed public key names the user on regtest. */
  private static final String USER = "02" + "11".repeat(32);

  final BitcoindRpc rpc;
  final TrackerStore store;
  final RecordingListener events = new RecordingListener();
  /** The fee and deadline events; every other event is in {@link #events}. */
  final FeeEvents fees = new FeeEvents(events);
  /** What the Responder sent through the library's carrier. */
  final CountingCarrier carrier;
  final Responder responder;
  final BlockPoller poller;

  private Tower(RegtestNode node, TrackerStore store) {
    this(node, store, Responder.builder());
  }

  /** A tower whose Responder is configured by {@code builder} beyond the carrier, blocks, store and listener. */
  private Tower(RegtestNode node, TrackerStore store, Responder.Builder builder) {
    this.rpc = BitcoindRpc.create(node.config());
    this.store = store;
    this.carrier = new CountingCarrier(rpc.carrier());
    this.responder = builder
        .carrier(carrier)
        .blockSource(rpc.blockSource())
        .store(store)
        .listener(fees)
        .start();
    this.poller = BlockPoller.create(rpc.blockSource(), responder, Duration.ofSeconds(1));
  }

  /** A tower on an in-memory store, starting at the node's best block. */
  static Tower inMemory(RegtestNode node) {
    return new Tower(node, new InMemoryTrackerStore());
  }

  /**
   * A tower on an in-memory store whose Responder gets what {@code builder} holds (a configuration,
   * a fee estimator, a fee bumper); the carrier, block source, store and listener are the tower's.
   */
  static Tower inMemory(RegtestNode node, Responder.Builder builder) {
    return new Tower(node, new InMemoryTrackerStore(), builder);
  }

  /** A tower on the given store (a reopened SQLite file resumes its trackers). */
  static Tower on(RegtestNode node, TrackerStore store) {
    return new Tower(node, store);
  }

  /** Hands the Responder whatever the node's best chain has that it has not seen, as the poller would. */
  BlockPoller.Poll poll() {
    return poller.pollOnce();
  }

  /** A breach of this dispute, penalised by this penalty, seen in {@code block}; the raw dispute handed over. */
  static Breach breach(Chain.Tx dispute, Chain.Tx penalty, BlockHash block) {
    return builder(dispute, penalty, block).disputeRawTx(dispute.hex()).build();
  }

  /** The same, without the raw dispute (the watcher does not have it). */
  static Breach breachWithoutRawDispute(Chain.Tx dispute, Chain.Tx penalty, BlockHash block) {
    return builder(dispute, penalty, block).build();
  }

  /** A breach's builder, to add fee terms (a deadline, a ladder) before building it. */
  static Breach.Builder builder(Chain.Tx dispute, Chain.Tx penalty, BlockHash block) {
    return Breach.builder()
        .uuid(UUID.randomUUID())
        .locator(Locator.of(dispute.txid()))
        .disputeTxid(dispute.txid())
        .penaltyTxid(penalty.txid())
        .penaltyRawTx(penalty.hex())
        .seenInBlock(block)
        .userId(USER);
  }

  BreachReceipt handle(Breach breach) {
    return responder.handleBreach(breach);
  }

  /** The tracker's status as last committed; fails when it is not tracked. */
  TrackerStatus status(UUID uuid) {
    return responder.tracker(uuid).map(TransactionTracker::status)
        .orElseThrow(() -> new AssertionError("tracker " + uuid + " is not tracked"));
  }
}
