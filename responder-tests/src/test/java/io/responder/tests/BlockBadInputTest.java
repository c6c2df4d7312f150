package io.responder.tests;

import static io.responder.tests.Given.block;
import static io.responder.tests.Given.unknownHash;
import static io.responder.tests.Given.unknownTxid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.BlockSourceException;
import io.responder.core.InvalidInputException;
import io.responder.core.Txid;
import io.responder.testkit.ResponderInvariants;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * B2/B3 with bad input: blocks the host hands over that are malformed, contradict the chain, or
 * cannot be placed, and disconnections of blocks the Responder never had. Each gets a clear exception
 * or is refused with a log line, and leaves the trackers, the tip, the counts, the store, the node and
 * the listener exactly as they were.
 */
class BlockBadInputTest {
  @RegisterExtension
  final ResponderInvariants invariants = new ResponderInvariants();

  Given g;
  Given.Snapshot before;

  @BeforeEach
  void given() {
    g = new Given();
    invariants.watch(() -> g.responder).watch(g.chain);
    before = g.snapshot();
  }

  @AfterEach
  void nothingChanged() {
    assertEquals(before, g.snapshot());
    assertFalse(g.store.find(g.waiting.uuid()).orElseThrow().status() instanceof io.responder.core.TrackerStatus.Confirmed,
        "an unplaceable block must not confirm anything");
  }

  interface BadInput {
    void apply(Given g);
  }

  /**
   * One case.
   *
   * @param what the story
   * @param expected the exception, or null when the input is refused with a log line
   * @param mentions what the exception's message must name (a field, or the contradiction)
   * @param input what the host does
   */
  static Arguments bad(String what, Class<? extends Throwable> expected, String mentions, BadInput input) {
    return Arguments.of(what, expected, mentions, input);
  }

  static BlockRef tip(Given g) {
    return g.responder.tip();
  }

  static Stream<Arguments> badBlocks() {
    return Stream.of(
        // Malformed blocks: the value types refuse them before the Responder sees them.
        bad("a block at height 0", InvalidInputException.class, "height",
            g -> g.responder.onBlock(block(unknownHash(1), tip(g).hash(), 0, List.of()))),
        bad("a block at a negative height", InvalidInputException.class, "height",
            g -> g.responder.onBlock(block(unknownHash(2), tip(g).hash(), -7, List.of()))),
        bad("a block naming itself as its parent", InvalidInputException.class, "previousHash",
            g -> g.responder.onBlock(block(tip(g).hash(), tip(g).hash(), tip(g).height() + 1, List.of()))),
        bad("a block without a hash", NullPointerException.class, "hash",
            g -> g.responder.onBlock(block(null, tip(g).hash(), tip(g).height() + 1, List.of()))),
        bad("a block without a txid list", NullPointerException.class, "txids",
            g -> g.responder.onBlock(block(unknownHash(3), tip(g).hash(), tip(g).height() + 1, null))),
        bad("a block with a null txid", NullPointerException.class, "",
            g -> g.responder.onBlock(block(unknownHash(4), tip(g).hash(), tip(g).height() + 1,
                Arrays.asList(g.waiting.penalty().txid(), null)))),
        bad("no block at all", NullPointerException.class, "block", g -> g.responder.onBlock(null)),
        bad("a block hash of 63 hex characters", InvalidInputException.class, "blockHash",
            g -> BlockHash.fromHex(tip(g).hash().toHex().substring(1))),
        bad("a block hash that is not hex", InvalidInputException.class, "blockHash",
            g -> BlockHash.fromHex("g" + tip(g).hash().toHex().substring(1))),
        bad("a txid of 62 hex characters in a block", InvalidInputException.class, "txid",
            g -> Txid.fromHex(g.waiting.penalty().txid().toHex().substring(2))),
        // Blocks that cannot be placed on the chain: the block source is asked, and contradicts them.
        bad("a child of a parent nobody knows, claiming to confirm a tracked penalty", BlockSourceException.class,
            "not found",
            g -> g.responder.onBlock(block(unknownHash(5), unknownHash(6), tip(g).height() + 1,
                List.of(g.waiting.penalty().txid(), g.pending.penalty().txid())))),
        bad("a block a thousand heights ahead with an unknown parent", BlockSourceException.class, "not found",
            g -> g.responder.onBlock(block(unknownHash(7), unknownHash(8), tip(g).height() + 1000,
                List.of(g.waiting.penalty().txid())))),
        bad("the tip as parent, but two heights above it", BlockSourceException.class, "height",
            g -> g.responder.onBlock(block(unknownHash(9), tip(g).hash(), tip(g).height() + 2,
                List.of(g.waiting.penalty().txid())))),
        bad("an older block of the chain claimed as the parent of the next height", BlockSourceException.class,
            "height",
            g -> g.responder.onBlock(block(unknownHash(10), g.chain.blockAt(tip(g).height() - 3).hash(),
                tip(g).height() + 1, List.of(g.waiting.penalty().txid())))),
        bad("the tip's own hash handed over one height up", BlockSourceException.class, "height",
            g -> g.responder.onBlock(block(tip(g).hash(), g.chain.blockAt(tip(g).height() - 1).hash(),
                tip(g).height() + 1, List.of()))),
        // Blocks refused with a log line: nothing to reorganise on their word.
        bad("a block far below the remembered window", null, "",
            g -> g.responder.onBlock(block(unknownHash(11), unknownHash(12), 3, List.of(g.waiting.penalty().txid())))),
        bad("an old block of the chain below the window, delivered late", null, "",
            g -> g.responder.onBlock(g.chain.blockAt(10))),
        bad("the disconnection of a block the responder never had", null, "",
            g -> g.responder.blockDisconnected(new BlockRef(unknownHash(13), tip(g).height()))),
        bad("the disconnection of the tip's hash at another height", null, "",
            g -> g.responder.blockDisconnected(new BlockRef(tip(g).hash(), tip(g).height() - 1))),
        bad("the disconnection of a block above the tip", null, "",
            g -> g.responder.blockDisconnected(new BlockRef(unknownHash(14), tip(g).height() + 1))),
        bad("the disconnection of nothing", NullPointerException.class, "block", g -> g.responder.blockDisconnected(null)),
        bad("a disconnection at a negative height", InvalidInputException.class, "height",
            g -> g.responder.blockDisconnected(new BlockRef(tip(g).hash(), -1))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badBlocks")
  void isRefusedAndChangesNothing(String what, Class<? extends Throwable> expected, String mentions, BadInput input) {
    if (expected == null) {
      input.apply(g);
      return;
    }
    Throwable e = assertThrows(expected, () -> input.apply(g));
    String message = String.valueOf(e.getMessage());
    assertTrue(message.contains(mentions), "'" + message + "' should name " + mentions);
    if (e instanceof BlockSourceException bse) {
      assertFalse(bse.isTransient(), "a contradiction is not something a retry fixes: " + message);
    }
  }
}
