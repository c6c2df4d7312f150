package io.responder.store.jdbc;

import io.responder.core.Block;
import io.responder.core.BlockRef;
import io.responder.core.Responder;
import io.responder.core.ResponderConfig;
import io.responder.core.StoreUpdate;
import io.responder.core.TrackerStore;
import io.responder.core.TransactionTracker;
import io.responder.core.Txid;
import io.responder.testkit.Appointment;
import io.responder.testkit.FakeChain;
import io.responder.testkit.ForwardingTrackerStore;
import io.responder.testkit.TestTransaction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A deterministic end-to-end history, played by a Responder over whatever store it is given: rounds
 * of breaches (some siblings sharing a penalty, some arriving while the node is down, one rejected
 * for good), penalties evicted from the mempool and rebroadcast, confirmations, a reorg every third
 * round, a restart half-way, and completions at a shallow irrevocable depth. The same seed gives the
 * same calls, so the same commits, whatever the store.
 */
final class Story {
  /** Shallow numbers so that a short history confirms, rebroadcasts, reorganises and completes. */
  static final ResponderConfig CONFIG =
      ResponderConfig.defaults().withIrrevocableDepth(6).withRebroadcastAfterMissed(2).withReorgWindow(12);

  /** Where the story keeps its trackers, across its restart. */
  interface Stores {
    TrackerStore open() throws Exception;

    /** Closes {@code running} as a stopping process would and opens the same data again. */
    TrackerStore restart(TrackerStore running) throws Exception;
  }

  private final long seed;
  private final int rounds;
  private final int breachesPerRound;

  Story(long seed, int rounds, int breachesPerRound) {
    this.seed = seed;
    this.rounds = rounds;
    this.breachesPerRound = breachesPerRound;
  }

  /**
   * Plays the story.
   *
   * @return the store in use at the end
   */
  TrackerStore play(Stores stores) throws Exception {
    Random rng = new Random(seed);
    FakeChain chain = FakeChain.atHeight(100);
    TrackerStore store = stores.open();
    Responder responder = start(chain, store);
    for (int round = 0; round < rounds; round++) {
      List<Appointment> batch = appointments(rng, breachesPerRound);
      Block seen = mineDisputes(chain, batch);
      responder.onBlock(seen);

      boolean nodeDown = round % 4 == 1; // these breaches stay pending until the node is back
      chain.nodeDown(nodeDown);
      if (round % 4 == 2) {
        chain.rejectNext(batch.get(0).penalty().txid(), -25, "bad-txns-inputs-missingorspent");
      }
      for (Appointment a : batch) {
        responder.handleBreach(a.breach(seen.ref()));
      }
      chain.nodeDown(false);

      for (int i = 0; i < batch.size(); i += 3) {
        chain.dropFromMempool(batch.get(i).penalty().txid()); // missed blocks, then a rebroadcast
      }
      responder.onBlock(chain.mine());
      if (round % 3 == 2) {
        chain.disconnect(2); // the disputes' block and the penalties' block are replaced
        List<Block> branch = chain.mineEmpty(3);
        responder.onBlock(branch.get(branch.size() - 1));
      }
      if (round == rounds / 2) {
        store = stores.restart(store);
        responder = start(chain, store);
      }
      responder.onBlock(chain.mine());
    }
    for (int i = 0; i < CONFIG.irrevocableDepth() + 2; i++) {
      responder.onBlock(chain.mine());
    }
    // A last few breaches, left in flight at the end.
    List<Appointment> last = appointments(rng, 5);
    Block seen = mineDisputes(chain, last);
    responder.onBlock(seen);
    for (Appointment a : last) {
      responder.handleBreach(a.breach(seen.ref()));
    }
    responder.onBlock(chain.mine());
    responder.checkConsistency();
    return store;
  }

  private static Responder start(FakeChain chain, TrackerStore store) {
    return Responder.builder().config(CONFIG).carrier(chain).blockSource(chain).store(store).start();
  }

  private static List<Appointment> appointments(Random rng, int count) {
    List<Appointment> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(i % 5 == 4 ? out.get(i - 1).sibling(rng) : Appointment.random(rng));
    }
    return out;
  }

  private static Block mineDisputes(FakeChain chain, List<Appointment> batch) {
    Map<Txid, TestTransaction> disputes = new LinkedHashMap<>(); // siblings share theirs
    for (Appointment a : batch) {
      disputes.put(a.dispute().txid(), a.dispute());
    }
    return chain.mineTransactions(disputes.values().toArray(new TestTransaction[0]));
  }

  // ---------------------------------------------------------------------------------------------
  // Comparing states

  /** A store's whole state: its tip and its trackers by uuid. */
  record State(Optional<BlockRef> tip, List<TransactionTracker> trackers) {
    static State of(TrackerStore store) {
      List<TransactionTracker> all = new ArrayList<>();
      store.loadTrackers(all::add);
      all.sort((a, b) -> a.uuid().compareTo(b.uuid()));
      return new State(store.loadTip(), List.copyOf(all));
    }

    /** A digest of the state, cheap to keep for every commit of a history. */
    String fingerprint() {
      try {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(String.valueOf(tip.map(t -> t.height() + ":" + t.hash()).orElse("none")).getBytes(StandardCharsets.UTF_8));
        for (TransactionTracker t : trackers) {
          sha.update(t.encode().getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(sha.digest());
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Decorates a store: after each commit it applied, tells the observer with the commit's number. */
  static final class Observed extends ForwardingTrackerStore {
    /** The observer of {@link Observed}. */
    interface Observer {
      void committed(int number, StoreUpdate update, TrackerStore store);
    }

    private final TrackerStore delegate;
    private final int[] counter;
    private final Observer observer;

    /** @param counter a one-element array shared by the stores of one history, across restarts */
    Observed(TrackerStore delegate, int[] counter, Observer observer) {
      this.delegate = delegate;
      this.counter = counter;
      this.observer = observer;
    }

    @Override
    public TrackerStore delegate() {
      return delegate;
    }

    @Override
    public void commit(StoreUpdate update) {
      delegate.commit(update);
      observer.committed(++counter[0], update, delegate);
    }
  }
}
