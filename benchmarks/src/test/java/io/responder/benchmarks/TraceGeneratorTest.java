package io.responder.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.Block;
import io.responder.core.BlockRef;
import io.responder.core.Breach;
import io.responder.core.Txid;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The project's own trace generator writes what {@link TraceReader} reads and {@link TraceReplay}
 * replays: the lines in the documented order, breaches the core accepts (each {@link Breach} is
 * built and so validated: parseable transactions whose txids match, locators of their disputes),
 * shared penalties, a reorganisation of the asked depth, penalties mined before the start that
 * complete during the trace; the same options give the same bytes.
 */
class TraceGeneratorTest {
  private static final TraceGenerator.Options SMALL =
      new TraceGenerator.Options(40, 12, 12, 0.2, 0.1, 0.2, 0.2, 2, 800_000, 1);

  @Test
  void writesATraceTheReaderAcceptsInTheDocumentedShape(@TempDir Path dir) throws IOException {
    Path trace = write(dir, SMALL);
    Shape shape = read(trace);

    assertEquals(new BlockRef(shape.start.hash(), 800_000), shape.start);
    assertEquals(List.of("start"), shape.order.subList(0, 1));
    assertEquals(40, shape.breaches.size());
    int firstBreach = shape.order.indexOf("breach");
    assertTrue(shape.order.subList(0, firstBreach).stream().allMatch(op -> op.equals("start") || op.equals("confirmed")),
        "confirmed lines come between start and the breaches: " + shape.order);
    assertTrue(shape.order.subList(firstBreach, firstBreach + 40).stream().allMatch("breach"::equals));

    Set<Txid> penalties = new HashSet<>();
    for (Breach b : shape.breaches) {
      assertEquals(b.disputeTxid().toHex().substring(0, 32), b.locator().toHex());
      assertTrue(b.disputeRawTx().isPresent());
      penalties.add(b.penaltyTxid());
    }
    assertTrue(penalties.size() < shape.breaches.size(), "some breaches share a penalty");
    assertTrue(shape.breaches.stream().anyMatch(b -> b.subscriptionEndHeight().isPresent()), "some subscriptions end");

    // 12 blocks, and the reorganisation replaces 2 of them with 3.
    assertEquals(12 + 3, shape.blocks.size());
    int reorgs = 0;
    for (int i = 0; i < shape.blocks.size(); i++) {
      Block b = shape.blocks.get(i);
      BlockRef parent = i == 0 ? shape.start : shape.blocks.get(i - 1).ref();
      assertEquals(12, b.txids().size());
      if (!b.previousHash().equals(parent.hash())) {
        reorgs++;
        assertEquals(parent.height() - 1, b.height(), "the new branch starts 2 blocks down");
        assertEquals(shape.blocks.get(i - 3).hash(), b.previousHash());
      } else {
        assertEquals(parent.height() + 1, b.height());
      }
    }
    assertEquals(1, reorgs);

    assertFalse(shape.confirmed.isEmpty(), "some penalties were mined before the start");
    for (Map.Entry<Txid, Integer> c : shape.confirmed.entrySet()) {
      assertTrue(penalties.contains(c.getKey()));
      int completesAt = c.getValue() + 99;
      assertTrue(completesAt > 800_000 && completesAt <= 800_000 + 12, "completes during the trace: " + c);
    }
  }

  @Test
  void theSameOptionsGiveTheSameBytesAndAnotherSeedOthers() throws IOException {
    assertArrayEquals(bytes(SMALL), bytes(SMALL));
    TraceGenerator.Options other = new TraceGenerator.Options(40, 12, 12, 0.2, 0.1, 0.2, 0.2, 2, 800_000, 2);
    assertFalse(new String(bytes(SMALL), StandardCharsets.UTF_8).equals(new String(bytes(other), StandardCharsets.UTF_8)));
  }

  @Test
  void theReplayRunsOnAGeneratedTrace(@TempDir Path dir) throws IOException {
    Path trace = write(dir, SMALL);

    String summary = TraceReplay.run(trace, dir.resolve("per-block.jsonl"), 0, false);

    assertTrue(summary.startsWith("trackers=40 blocks=15 "), summary);
    assertTrue(summary.contains(" disconnected=2"), "the reorganisation is replayed: " + summary);
    assertFalse(summary.contains(" completed=0 "), "penalties mined before the start complete: " + summary);
    assertFalse(summary.contains(" expired=0 "), "subscriptions end: " + summary);
  }

  @Test
  void badOptionsAreRefusedWithTheirValues() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new TraceGenerator.Options(10, 0, 12, 0.2, 0.1, 0.2, 0.2, 0, 800_000, 1));
    assertTrue(e.getMessage().contains("blocks=0"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new TraceGenerator.Options(10, 5, 12, 1.5, 0.1, 0.2, 0.2, 0, 800_000, 1));
    assertThrows(IllegalArgumentException.class, () -> TraceGenerator.main(new String[] {"--trackers"}));
    assertThrows(IllegalArgumentException.class, () -> TraceGenerator.main(new String[] {"--nope", "1"}));
  }

  private static Path write(Path dir, TraceGenerator.Options options) throws IOException {
    Path trace = dir.resolve("trace.jsonl");
    Files.write(trace, bytes(options));
    return trace;
  }

  private static byte[] bytes(TraceGenerator.Options options) throws IOException {
    StringWriter w = new StringWriter();
    TraceGenerator.write(options, w);
    return w.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** What a trace holds, in the order read. */
  private static final class Shape implements TraceReader.Visitor {
    BlockRef start;
    final List<String> order = new ArrayList<>();
    final Map<Txid, Integer> confirmed = new HashMap<>();
    final List<Breach> breaches = new ArrayList<>();
    final List<Block> blocks = new ArrayList<>();

    @Override
    public void start(BlockRef tip) {
      order.add("start");
      start = tip;
    }

    @Override
    public void confirmed(Txid txid, int height) {
      order.add("confirmed");
      confirmed.put(txid, height);
    }

    @Override
    public void breach(Breach.Builder breach) {
      order.add("breach");
      breaches.add(breach.build());
    }

    @Override
    public void block(Block block) {
      order.add("block");
      blocks.add(block);
    }
  }

  private static Shape read(Path trace) throws IOException {
    Shape shape = new Shape();
    try (TraceReader reader = new TraceReader(trace)) {
      while (reader.next(shape)) {
        // every line goes to the visitor
      }
    }
    assertNotNull(shape.start);
    return shape;
  }
}
