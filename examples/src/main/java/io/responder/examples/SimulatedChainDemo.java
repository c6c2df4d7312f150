package io.responder.examples;

import io.responder.core.Block;
import io.responder.core.BreachReceipt;
import io.responder.core.Responder;
import io.responder.core.TrackerState;
import io.responder.core.Txid;
import io.responder.store.inmemory.InMemoryTrackerStore;
import io.responder.testkit.Appointment;
import io.responder.testkit.FakeChain;
import io.responder.testkit.TestTransaction;
import io.responder.testkit.Transactions;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * The demo: a Responder over a simulated node ({@link FakeChain} from {@code responder-testkit}) and
 * an {@link InMemoryTrackerStore}, driven through a few dozen blocks of a watchtower's life. Two
 * channels are breached (one with two appointments sharing a penalty), a penalty keeps missing blocks
 * and is sent again, a reorganisation takes a confirmation away, a breach arrives while the node is
 * unreachable and its subscription ends before it confirms, a fee spike threatens a penalty whose deadline
 * approaches until its fee ladder gets it mined in time, and the rest run to 100 confirmations.
 *
 * <p>The host's narration is printed here; every line marked {@code >} is an event the
 * Responder itself reported through {@link ConsoleListener}, so the story shows what the library
 * really did. Run it with {@code ./mvnw -q -pl examples -am compile exec:java}.
 *
 * <p>Not thread-safe: one demo runs on one thread.
 */
public final class SimulatedChainDemo {
  /** The chain starts here, so heights in the story read as a real node's would. */
  private static final int START_HEIGHT = 800;
  /** Fixed, so every run tells the same story with the same txids. */
  private static final long SEED = 2026;
  /** During the long wait for 100 confirmations, one progress line per this many blocks. */
  private static final int PROGRESS_EVERY = 20;

  private final PrintStream out;
  private final Random rng = new Random(SEED);
  private final FakeChain chain = FakeChain.atHeight(START_HEIGHT);
  private final ConsoleListener events;
  private final Responder responder;
  /** What the host knows a txid to be, to describe blocks in the narration. */
  private final Map<Txid, String> known = new HashMap<>();
  private final Map<UUID, String> names = new HashMap<>();

  private SimulatedChainDemo(PrintStream out) {
    this.out = out;
    this.events = new ConsoleListener(out);
    this.responder = Responder.builder()
        .carrier(chain)
        .blockSource(chain)
        .store(new InMemoryTrackerStore())
        .listener(events)
        .start();
  }

  /**
   * Runs the demo on standard output.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    run(System.out);
  }

  /**
   * Runs the demo.
   *
   * @param out where the story is printed
   * @return the counts printed on the summary line
   */
  public static Summary run(PrintStream out) {
    return new SimulatedChainDemo(out).tell();
  }

  private Summary tell() {
    out.println("responder demo: a Responder over a simulated node (FakeChain) and an in-memory store.");
    out.println("It completes trackers at " + responder.config().irrevocableDepth() + " confirmations and sends a"
        + " penalty again after " + responder.config().rebroadcastAfterMissed() + " missed blocks.");
    out.println("Lines marked '>' are the Responder's own events, from its ResponderListener.");
    out.println("Responder started at block " + responder.tip().height() + ".");

    chapter("1. Two channels are breached");
    Appointment alice1 = appointment("alice/1", "alice's");
    Appointment alice2 = alice1.sibling(rng); // a second appointment for the same channel state
    name(alice2, "alice/2");
    Appointment bob = appointment("bob", "bob's");
    say("alice has two appointments with the tower for the same channel state, so two trackers will share "
        + "one penalty.");
    say("Cheaters publish revoked commitments of alice's and bob's channels.");
    Block disputes = deliver(chain.mineTransactions(alice1.dispute(), bob.dispute()));
    handOver(alice1, disputes);
    handOver(alice2, disputes);
    say("  (one penalty for both trackers: the node has received it " + chain.broadcastCount(alice1.penalty().txid())
        + " time)");
    handOver(bob, disputes);

    chapter("2. Blocks are mined; bob's penalty keeps missing them");
    say("The node restarts and loses bob's penalty from its mempool, so no miner sees it.");
    chain.dropFromMempool(bob.penalty().txid());
    int missed = responder.config().rebroadcastAfterMissed();
    say("The Responder counts the blocks that miss it, and sends it again after " + missed + ".");
    for (int i = 0; i < missed; i++) {
      deliver(chain.mine());
    }
    deliver(chain.mine());

    chapter("3. A reorganisation takes bob's confirmation away");
    deliver(chain.mine());
    say("Another miner's branch wins: the last 2 blocks are replaced by 3 new ones without bob's penalty.");
    say("The host's chain loop hands over only the new tip; the Responder fetches the rest itself.");
    chain.disconnect(2);
    List<Block> branch = chain.mineEmpty(3);
    deliver(branch.get(branch.size() - 1));
    deliver(chain.mine());

    chapter("4. A breach while the node is unreachable; the subscription ends first");
    Appointment carol = appointment("carol", "carol's");
    Block carolDispute = deliver(chain.mineTransactions(carol.dispute()));
    int subscriptionEnd = carolDispute.height() + 4;
    say("carol's subscription ends at block " + subscriptionEnd + ". The node goes down for 2 blocks.");
    chain.nodeDownForBlocks(2);
    handOver(carol, carolDispute, subscriptionEnd);
    say("Miners leave carol's low-fee penalty in the mempool.");
    while (responder.tracker(carol.uuid()).isPresent()) {
      deliver(chain.mineEmpty());
    }

    chapter("5. A fee spike while dave's deadline approaches");
    chain.enableFeeMarket();
    TestTransaction funding = Transactions.funding(rng, 1_000_000);
    deliver(chain.mineTransactions(funding));
    Appointment dave = Appointment.withFeerates(rng, funding, 0, 10, 2);
    name(dave, "dave");
    known.put(dave.dispute().txid(), "revoked commitment of dave's channel");
    known.put(dave.penalty().txid(), "dave's " + ConsoleListener.penaltyName(dave.penalty().txid()));
    List<TestTransaction> ladder = dave.penaltyLadder(rng, 8, 30, 80);
    ladder.forEach(v -> known.put(v.txid(), "dave's penalty re-signed at a higher fee (" + v.txid().toHex().substring(0, 8) + ")"));
    say("dave's tower holds his penalty at 2 sat/vB and three re-signed copies at 8, 30 and 80 sat/vB;");
    say("his channel's to_self_delay is 18 blocks: the cheater can sweep 18 blocks after the commitment confirms.");
    Block daveDispute = deliver(chain.mineTransactions(dave.dispute()));
    var daveBreach = dave.breachBuilder(daveDispute.hash()).toSelfDelay(18);
    ladder.forEach(v -> daveBreach.addPenaltyVariant(v.raw()));
    say("watcher: handleBreach(dave), revoked commitment seen in block " + daveDispute.height());
    BreachReceipt daveReceipt = responder.handleBreach(daveBreach.build());
    say("  receipt: " + daveReceipt.disposition() + ", " + ConsoleListener.describe(daveReceipt.broadcast()));
    say("Fees spike: miners now take nothing below 25 sat/vB.");
    chain.minerMinFeerate(25);
    while (responder.tracker(dave.uuid()).orElseThrow().status().state() != TrackerState.CONFIRMED) {
      deliver(chain.mine());
    }
    say("dave's penalty is mined " + (daveDispute.height() + 18 - responder.tip().height()) + " blocks before the"
        + " cheater could sweep, at the lowest rung miners took.");
    chain.minerMinFeerate(0);

    chapter("6. Mining on until the penalties are irrevocably resolved");
    while (responder.trackerCount() > 0) {
      Block b = chain.mineEmpty();
      if (b.height() % PROGRESS_EVERY == 0) {
        say("block " + b.height() + ": " + responder.countsByState().get(TrackerState.CONFIRMED)
            + " confirmed trackers waiting for depth " + responder.config().irrevocableDepth());
      }
      responder.onBlock(b);
    }

    Summary summary = new Summary(events.tally(), chain.broadcastCount(), responder.trackerCount(),
        responder.tip().height());
    out.println();
    out.println(summary);
    return summary;
  }

  private Appointment appointment(String name, String owner) {
    Appointment a = Appointment.random(rng);
    name(a, name);
    known.put(a.dispute().txid(), "revoked commitment of " + owner + " channel");
    known.put(a.penalty().txid(), owner + " " + ConsoleListener.penaltyName(a.penalty().txid()));
    return a;
  }

  private void name(Appointment a, String name) {
    events.name(a.uuid(), name);
    names.put(a.uuid(), name);
  }

  private void handOver(Appointment a, Block seenIn) {
    handOver(a, seenIn, -1);
  }

  /** What the watcher does when it finds a revoked commitment: hand the breach to the Responder. */
  private void handOver(Appointment a, Block seenIn, int subscriptionEnd) {
    var breach = a.breachBuilder(seenIn.hash());
    if (subscriptionEnd >= 0) {
      breach.subscriptionEndHeight(subscriptionEnd);
    }
    say("watcher: handleBreach(" + names.get(a.uuid()) + "), revoked commitment seen in block " + seenIn.height());
    BreachReceipt receipt = responder.handleBreach(breach.build());
    say("  receipt: " + receipt.disposition() + ", " + ConsoleListener.describe(receipt.broadcast()));
  }

  /** What the host's chain loop does for every block the node connects. */
  private Block deliver(Block block) {
    List<String> ours = new ArrayList<>();
    for (Txid t : block.txids()) {
      String name = known.get(t);
      if (name != null) {
        ours.add(name);
      }
    }
    say("block " + block.height() + " mined: " + (ours.isEmpty() ? "nothing of ours" : String.join(", ", ours)));
    responder.onBlock(block);
    return block;
  }

  private void chapter(String title) {
    out.println();
    out.println("== " + title + " ==");
  }

  private void say(String line) {
    out.println(line);
  }

  /**
   * The demo's outcome.
   *
   * @param events what the Responder reported
   * @param broadcasts every broadcast call the node got, retries and failed calls included
   * @param trackersLeft trackers still held at the end
   * @param tipHeight the Responder's tip at the end
   */
  public record Summary(ConsoleListener.Tally events, int broadcasts, int trackersLeft, int tipHeight) {
    @Override
    public String toString() {
      return String.format("Summary: %d trackers added, %d penalty confirmations, %d penalties sent again, %d reorg"
              + " (%d blocks disconnected), %d trackers completed, %d expired, %d rejected; %d broadcast calls to"
              + " the node; %d trackers left at block %d.",
          events.added(), events.confirmed(), events.rebroadcasts(), events.reorgs(), events.blocksDisconnected(),
          events.completed(), events.expired(), events.rejected(), broadcasts, trackersLeft, tipHeight);
    }
  }
}
