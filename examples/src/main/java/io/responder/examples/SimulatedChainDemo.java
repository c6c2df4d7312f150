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
 * really did. Run it with {@code ./mvnw -q -pl examples -am compile exec:exec@demo}: the demo runs in
 * its own JVM, so the library's warnings reach the story through this module's slf4j-simple (see
 * {@code simplelogger.properties}) whatever Maven's own log level; {@code -Ddemo.logLevel=info}
 * shows everything the Responder logs.
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
  /** The reorganisation: how many blocks the winning branch replaces, and how long it is. */
  static final int REORG_DEPTH = 2;
  static final int NEW_BRANCH_LENGTH = 3;
  /** How many blocks are mined before the node is reachable again in chapter 4. */
  static final int NODE_DOWN_BLOCKS = 2;

  private final PrintStream out;
  private final Random rng = new Random(SEED);
  private final FakeChain chain = FakeChain.atHeight(START_HEIGHT);
  private final ConsoleListener events;
  private final Responder responder;
  /** What the host knows a txid to be, to describe blocks in the narration. */
  private final Map<Txid, String> known = new HashMap<>();
  private final Map<UUID, String> names = new HashMap<>();
  /** The trackers of each named penalty, to tell when a block mines one nobody tracks any more. */
  private final Map<Txid, List<UUID>> trackersOf = new HashMap<>();

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
    out.println("Lines marked '>' are the Responder's own events, from its ResponderListener; lines starting with"
        + " [WARN] are its own log.");
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
    say("Another miner's branch wins: the last " + REORG_DEPTH + " blocks are replaced by " + NEW_BRANCH_LENGTH
        + " new ones without bob's penalty.");
    chain.disconnect(REORG_DEPTH);
    List<Block> branch = chain.mineEmpty(NEW_BRANCH_LENGTH);
    branch.forEach(this::describe);
    Block newTip = branch.get(branch.size() - 1);
    say("The host's chain loop hands over only the new tip, block " + newTip.height()
        + "; the Responder fetches the blocks before it itself.");
    responder.onBlock(newTip);
    deliver(chain.mine());

    chapter("4. A breach while the node is unreachable; the subscription ends first");
    Appointment carol = appointment("carol", "carol's");
    Block carolDispute = deliver(chain.mineTransactions(carol.dispute()));
    int subscriptionEnd = carolDispute.height() + 4;
    int nodeBack = carolDispute.height() + NODE_DOWN_BLOCKS;
    say("carol's subscription ends at block " + subscriptionEnd + ". The node goes down; it is back when block "
        + nodeBack + " is mined.");
    chain.nodeDownForBlocks(NODE_DOWN_BLOCKS);
    handOver(carol, carolDispute, subscriptionEnd);
    say("The next blocks are empty: once the node takes carol's penalty, it stays in the mempool.");
    while (responder.tracker(carol.uuid()).isPresent()) {
      deliver(chain.mineEmpty());
    }
    say("The next block mines carol's penalty after all. Her tracker is gone, so the Responder tells nothing.");
    deliver(chain.mine());

    chapter("5. A fee spike while dave's deadline approaches");
    chain.enableFeeMarket();
    TestTransaction funding = Transactions.funding(rng, 1_000_000);
    known.put(funding.txid(), "the funding of dave's channel");
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
        int waiting = responder.countsByState().get(TrackerState.CONFIRMED);
        say("block " + b.height() + ": " + waiting + " confirmed tracker" + (waiting == 1 ? "" : "s")
            + " waiting for depth " + responder.config().irrevocableDepth());
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
    trackersOf.computeIfAbsent(a.penalty().txid(), k -> new ArrayList<>()).add(a.uuid());
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
    describe(block);
    responder.onBlock(block);
    return block;
  }

  /** Says what a block holds of ours, and which of it the Responder no longer tracks. */
  private void describe(Block block) {
    List<String> ours = new ArrayList<>();
    for (Txid t : block.txids()) {
      String name = known.get(t);
      if (name != null) {
        List<UUID> trackers = trackersOf.getOrDefault(t, List.of());
        boolean untracked = !trackers.isEmpty() && trackers.stream().allMatch(u -> responder.tracker(u).isEmpty());
        ours.add(untracked ? name + " (no longer tracked)" : name);
      }
    }
    say("block " + block.height() + " mined: " + (ours.isEmpty() ? "nothing of ours" : String.join(", ", ours)));
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
   * @param broadcasts every broadcast the Responder attempted, as the simulated node counts them: every
   *     kind of send, those made while the node was down included
   * @param trackersLeft trackers still held at the end
   * @param tipHeight the Responder's tip at the end
   */
  public record Summary(ConsoleListener.Tally events, int broadcasts, int trackersLeft, int tipHeight) {
    @Override
    public String toString() {
      return String.format("Summary, counting the '>' lines: %d tracker added, %d penalty confirmed, %d penalty sent"
              + " again, %d pending retry (%d of which never reached the node), %d blocks disconnected (%d blocks),"
              + " %d tracker completed, %d tracker expired, %d breach rejected. The node counted %d broadcast"
              + " attempts; %d trackers are left at block %d.",
          events.added(), events.confirmed(), events.resent(), events.retries(), events.retriesUnreached(),
          events.reorgs(), events.blocksDisconnected(), events.completed(), events.expired(), events.rejected(),
          broadcasts, trackersLeft, tipHeight);
    }
  }
}
