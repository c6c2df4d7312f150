package io.responder.tests;

import static io.responder.tests.Given.unknownHash;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.BlockSource;
import io.responder.core.BlockSourceException;
import io.responder.testkit.FakeChain;
import io.responder.testkit.ResponderInvariants;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * B3 with a block source that lies or fails while the Responder fills a gap, walks back a
 * reorganisation, or catches up: it answers another block, wrong heights, hashes it cannot serve,
 * nothing, or throws. The Responder stops with a clear exception (persistent for a contradiction) or
 * a logged refusal, and its trackers, tip, counts, store, node and listener are as they were.
 */
class BlockSourceBadInputTest {
  /** A block source over the chain that lies as told once {@link #lying} is set. */
  static final class LyingSource implements BlockSource {
    final FakeChain chain;
    boolean lying;
    Function<BlockHash, Block> block;
    IntFunction<Optional<BlockHash>> hashAt;
    Supplier<BlockRef> best;

    LyingSource(FakeChain chain) {
      this.chain = chain;
    }

    @Override
    public BlockRef bestBlock() {
      return lying && best != null ? best.get() : chain.bestBlock();
    }

    @Override
    public Block block(BlockHash hash) {
      return lying && block != null ? block.apply(hash) : chain.block(hash);
    }

    @Override
    public Optional<BlockHash> blockHashAt(int height) {
      return lying && hashAt != null ? hashAt.apply(height) : chain.blockHashAt(height);
    }
  }

  @RegisterExtension
  final ResponderInvariants invariants = new ResponderInvariants();

  LyingSource source;
  Given g;
  Given.Snapshot before;

  /** How the host makes the Responder ask the source. */
  enum Trigger {
    /** Three blocks mined, only the newest handed over: a gap filled by height. */
    GAP,
    /** Two blocks replaced by three, only the newest handed over: the reorganisation is walked back. */
    REORG,
    /** The host asks the Responder to catch up with the source's best block. */
    SYNC,
    /** The process restarts over the same store and catches up at start. */
    RESTART
  }

  interface Lie {
    void tell(LyingSource s, Given g);
  }

  static Arguments lie(String what, Trigger trigger, Class<? extends Throwable> expected, String mentions, Lie lie) {
    return Arguments.of(what, trigger, expected, mentions, lie);
  }

  static Stream<Arguments> lies() {
    return Stream.of(
        lie("it answers another block than the one asked for", Trigger.GAP, BlockSourceException.class, "another block",
            (s, g) -> s.block = h -> s.chain.block(s.chain.blockAt(g.responder.tip().height()).hash())),
        lie("it answers nothing", Trigger.GAP, BlockSourceException.class, "another block", (s, g) -> s.block = h -> null),
        lie("it puts a block one height higher than its parent allows", Trigger.GAP, BlockSourceException.class, "height",
            (s, g) -> s.block = h -> shifted(s.chain.block(h), 1)),
        lie("it names, for a height, the block of another height", Trigger.GAP, BlockSourceException.class, "height",
            (s, g) -> s.hashAt = h -> h > g.responder.tip().height()
                ? s.chain.blockHashAt(h - 1) : s.chain.blockHashAt(h)),
        lie("it names, for a height, a block it cannot serve", Trigger.GAP, BlockSourceException.class, "not found",
            (s, g) -> s.hashAt = h -> h > g.responder.tip().height()
                ? Optional.of(unknownHash(h)) : s.chain.blockHashAt(h)),
        lie("it fails for a moment", Trigger.GAP, BlockSourceException.class, "timed out",
            (s, g) -> s.block = h -> {
              throw new BlockSourceException("timed out", true);
            }),
        lie("it throws something it should have mapped", Trigger.GAP, IllegalStateException.class, "socket",
            (s, g) -> s.block = h -> {
              throw new IllegalStateException("socket closed");
            }),
        lie("a block of the new branch names a parent three heights below it", Trigger.REORG, BlockSourceException.class,
            "height", (s, g) -> s.block = h -> {
              Block real = s.chain.block(h);
              return real.height() > g.responder.tip().height() - 2
                  ? new Block(real.hash(), s.chain.blockAt(real.height() - 3).hash(), real.height(), real.txids())
                  : real;
            }),
        lie("it cannot serve the new branch's blocks", Trigger.REORG, BlockSourceException.class, "gone",
            (s, g) -> s.block = h -> {
              throw new BlockSourceException("block gone: pruned", false);
            }),
        lie("its best block is one it cannot serve", Trigger.SYNC, BlockSourceException.class, "not found",
            (s, g) -> s.best = () -> new BlockRef(unknownHash(77), g.responder.tip().height() + 4)),
        lie("its best block is two heights higher than it is", Trigger.SYNC, BlockSourceException.class, "height",
            (s, g) -> s.best = () -> new BlockRef(s.chain.tip().hash(), s.chain.tip().height() + 2)),
        lie("at start, its best block is one it cannot serve", Trigger.RESTART, null, "",
            (s, g) -> s.best = () -> new BlockRef(unknownHash(78), g.responder.tip().height() + 4)),
        lie("at start, it puts every block one height up", Trigger.RESTART, null, "",
            (s, g) -> s.block = h -> shifted(s.chain.block(h), 1)));
  }

  static Block shifted(Block b, int by) {
    return new Block(b.hash(), b.previousHash(), b.height() + by, b.txids());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("lies")
  void isRefusedAndChangesNothing(String what, Trigger trigger, Class<? extends Throwable> expected, String mentions,
      Lie lie) {
    g = new Given(c -> source = new LyingSource(c));
    invariants.watch(() -> g.responder).watch(g.chain);
    Block newest = switch (trigger) {
      case GAP -> g.chain.mineEmpty(3).get(2);
      case REORG -> {
        g.chain.disconnect(2);
        yield g.chain.mineEmpty(3).get(2);
      }
      default -> g.chain.mineEmpty();
    };
    before = g.snapshot();
    lie.tell(source, g);
    source.lying = true;

    Runnable act = switch (trigger) {
      case GAP, REORG -> () -> g.responder.onBlock(newest);
      case SYNC -> () -> g.responder.syncWithBlockSource();
      case RESTART -> () -> g.responder = g.start(g.store, source);
    };
    if (expected == null) {
      act.run(); // refused with a log line: the Responder starts at its stored tip and catches up later
    } else {
      Throwable e = assertThrows(expected, act::run);
      assertTrue(String.valueOf(e.getMessage()).contains(mentions), e.getMessage());
      if (e instanceof BlockSourceException bse && !mentions.equals("timed out")) {
        assertTrue(!bse.isTransient(), "a lie is not fixed by retrying: " + e.getMessage());
      }
    }
    assertEquals(before, g.snapshot());

    // Once the source tells the truth again, the Responder catches up from where it was.
    source.lying = false;
    g.responder.syncWithBlockSource();
    assertEquals(g.chain.tip(), g.responder.tip());
  }
}
