package io.responder.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.Block;
import io.responder.core.BlockRef;
import io.responder.core.InvalidInputException;
import io.responder.core.Responder;
import io.responder.core.ResponderConfig;
import io.responder.core.StoreUpdate;
import io.responder.core.TrackerStatus;
import io.responder.core.TrackerStore;
import io.responder.core.TransactionTracker;
import io.responder.testkit.Appointment;
import io.responder.testkit.FakeChain;
import io.responder.testkit.ResponderInvariants;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * B4 with bad stored data: a store that hands the Responder a corrupt row, trackers that contradict
 * each other, the same tracker twice, or fails to read. Starting over it fails with a clear exception
 * naming the problem and writes nothing; once the data is repaired the Responder resumes exactly the
 * committed state. A store that answers a lookup with another tracker makes the intake refuse.
 */
class StoredDataBadInputTest {
  /**
   * A store that keeps trackers as encoded rows, as a durable store does, and decodes them as it
   * hands them out. Tests corrupt its rows and make it misbehave.
   */
  static final class RowStore implements TrackerStore {
    final Map<UUID, String> rows = new LinkedHashMap<>();
    BlockRef tip;
    long commits;
    /** Rows handed out a second time by loadTrackers (a store that lost track of its cursor). */
    UUID repeated;
    boolean readFails;
    boolean tipFails;
    /** Answers find() with this tracker's row, whatever was asked. */
    UUID findAnswers;
    /** What findAllBatchSize() answers. */
    int batchSize = 10_000;

    @Override
    public int findAllBatchSize() {
      return batchSize;
    }

    @Override
    public synchronized Optional<BlockRef> loadTip() {
      if (tipFails) {
        throw new UncheckedIOException("reading the tip", new java.io.IOException("disk I/O error"));
      }
      return Optional.ofNullable(tip);
    }

    @Override
    public synchronized void loadTrackers(Consumer<TransactionTracker> sink) {
      if (readFails) {
        throw new UncheckedIOException("reading trackers", new java.io.IOException("disk I/O error"));
      }
      for (String row : rows.values()) {
        sink.accept(TransactionTracker.decode(row));
      }
      if (repeated != null) {
        sink.accept(TransactionTracker.decode(rows.get(repeated)));
      }
    }

    @Override
    public synchronized Optional<TransactionTracker> find(UUID uuid) {
      String row = rows.get(findAnswers != null ? findAnswers : uuid);
      return row == null ? Optional.empty() : Optional.of(TransactionTracker.decode(row));
    }

    @Override
    public synchronized void commit(StoreUpdate update) {
      for (TransactionTracker t : update.added()) {
        rows.put(t.uuid(), t.encode());
      }
      update.statusChanges().forEach((u, s) -> rows.computeIfPresent(u, (k, row) -> TransactionTracker.decode(row)
          .withStatus(s).encode()));
      update.removed().forEach(rows::remove);
      update.tip().ifPresent(t -> tip = t);
      commits++;
    }

    synchronized Map<UUID, String> snapshot() {
      return Map.copyOf(rows);
    }
  }

  @RegisterExtension
  final ResponderInvariants invariants = new ResponderInvariants();

  final FakeChain chain = FakeChain.atHeight(150);
  final RowStore store = new RowStore();
  final Random rng = new Random(5);
  final Appointment confirmed = Appointment.random(rng);
  final Appointment waiting = Appointment.random(rng);
  final Appointment sibling = waiting.sibling(rng);
  Responder responder;
  BlockRef tipBefore;
  Map<UUID, String> rowsBefore;

  Responder start() {
    return Responder.builder().config(ResponderConfig.defaults()).carrier(chain).blockSource(chain).store(store).start();
  }

  @BeforeEach
  void given() {
    responder = start();
    Block d1 = chain.mineTransactions(confirmed.dispute());
    responder.onBlock(d1);
    responder.handleBreach(confirmed.breach(d1.ref()));
    responder.onBlock(chain.mine());
    Block d2 = chain.mineTransactions(waiting.dispute());
    responder.onBlock(d2);
    responder.handleBreach(waiting.breach(d2.ref()));
    responder.handleBreach(sibling.breach(d2.ref()));
    tipBefore = responder.tip();
    rowsBefore = store.snapshot();
  }

  interface Corruption {
    void apply(StoredDataBadInputTest t);
  }

  static Arguments corrupt(String what, Class<? extends Throwable> expected, String names, Corruption c) {
    return Arguments.of(what, expected, names, c);
  }

  /** Rewrites one field of the waiting tracker's row. */
  static Corruption edit(UnaryOperator<String> rewrite) {
    return t -> t.store.rows.computeIfPresent(t.waiting.uuid(), (u, row) -> {
      String edited = rewrite.apply(row);
      if (edited.equals(row)) {
        throw new IllegalStateException("the corruption did not apply to " + row);
      }
      return edited;
    });
  }

  /** The value of a member of an encoded row, without quotes. */
  static String field(String row, String name) {
    Matcher m = member(name).matcher(row);
    if (!m.find()) {
      throw new IllegalStateException(name + " not in " + row);
    }
    return m.group(2) != null ? m.group(2) : m.group(3);
  }

  /** Replaces the value of a member of an encoded row with raw JSON. */
  static String set(String row, String name, String json) {
    return member(name).matcher(row).replaceFirst(Matcher.quoteReplacement("\"" + name + "\":" + json));
  }

  private static Pattern member(String name) {
    return Pattern.compile("\"" + Pattern.quote(name) + "\":(\"([^\"]*)\"|([^,}]*))");
  }

  static Stream<Arguments> corruptions() {
    return Stream.of(
        corrupt("a row of format version 3", InvalidInputException.class, "v",
            edit(r -> r.replace("\"v\":1", "\"v\":3"))),
        corrupt("a locator that is not the dispute's", InvalidInputException.class, "locator",
            edit(r -> set(r, "locator", "\"00" + field(r, "locator").substring(2) + "\""))),
        corrupt("a raw dispute that is another transaction", InvalidInputException.class, "disputeTxid",
            edit(r -> set(r, "dispute_rawtx", "\"" + field(r, "penalty_rawtx") + "\""))),
        corrupt("a user id that is not a compressed key", InvalidInputException.class, "userId",
            edit(r -> set(r, "user_id", "\"04" + field(r, "user_id").substring(2) + "\""))),
        corrupt("a uuid that is not a uuid", InvalidInputException.class, "uuid",
            edit(r -> set(r, "uuid", "\"not-a-uuid\""))),
        corrupt("a penalty txid cut short", InvalidInputException.class, "penalty_txid",
            edit(r -> set(r, "penalty_txid", "\"" + field(r, "penalty_txid").substring(4) + "\""))),
        corrupt("a confirmation without its block", InvalidInputException.class, "confirmed_block",
            edit(r -> r.replace("\"status\":\"in_mempool\",\"since_height\":", "\"status\":\"confirmed\",\"confirmed_height\":"))),
        corrupt("a dispute height that is text", InvalidInputException.class, "dispute_height",
            edit(r -> set(r, "dispute_height", "\"x\""))),
        corrupt("a row cut in half", InvalidInputException.class, "tracker",
            edit(r -> r.substring(0, r.length() / 2))),
        corrupt("two trackers of one penalty with different statuses", IllegalStateException.class, "different statuses",
            t -> t.store.rows.computeIfPresent(t.sibling.uuid(), (u, row) -> TransactionTracker.decode(row)
                .withStatus(new TrackerStatus.Pending(3)).encode())),
        corrupt("the same tracker handed out twice", IllegalStateException.class, "handed over twice",
            t -> t.store.repeated = t.waiting.uuid()),
        corrupt("a store that cannot read its trackers", UncheckedIOException.class, "reading trackers",
            t -> t.store.readFails = true),
        corrupt("a store that cannot read its tip", UncheckedIOException.class, "reading the tip",
            t -> t.store.tipFails = true),
        corrupt("a store that asks for reads of no tracker", InvalidInputException.class, "findAllBatchSize",
            t -> t.store.batchSize = 0),
        corrupt("a store that asks for reads of a negative number", InvalidInputException.class, "findAllBatchSize",
            t -> t.store.batchSize = Integer.MIN_VALUE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corruptions")
  void aCorruptStoreStopsTheStartAndWritesNothing(String what, Class<? extends Throwable> expected, String names,
      Corruption corruption) {
    Map<UUID, String> good = store.snapshot();
    corruption.apply(this);
    Map<UUID, String> corrupted = store.snapshot();
    long commits = store.commits;
    chain.mineEmpty(2); // blocks to catch up with, which a start that went ahead would commit

    Throwable e = assertThrows(expected, this::start);
    if (e instanceof InvalidInputException iie) {
      assertEquals(names, iie.field(), e.getMessage());
    } else {
      assertTrue(String.valueOf(e.getMessage()).contains(names), e.getMessage());
    }
    assertEquals(commits, store.commits, "nothing written");
    assertEquals(corrupted, store.snapshot());
    assertEquals(tipBefore, store.tip);

    // Repaired, the store gives back exactly what was committed, and the Responder catches up.
    store.rows.clear();
    store.rows.putAll(good);
    store.repeated = null;
    store.readFails = false;
    store.tipFails = false;
    store.batchSize = 10_000;
    responder = start();
    invariants.watch(responder).watch(chain);
    assertEquals(chain.tip(), responder.tip());
    assertEquals(Objects.requireNonNull(rowsBefore.keySet()), store.snapshot().keySet());
  }

  @Test
  void aStoreThatAnswersALookupWithAnotherTrackerMakesTheIntakeRefuse() {
    invariants.watch(responder).watch(chain);
    var counts = responder.countsByState();
    long commits = store.commits;
    store.findAnswers = confirmed.uuid();

    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> responder.handleBreach(waiting.breach(chain.blockAt(tipBefore.height()).ref())));
    assertEquals("uuid", e.field());
    store.findAnswers = null;

    assertEquals(commits, store.commits);
    assertEquals(rowsBefore, store.snapshot());
    assertEquals(tipBefore, responder.tip());
    assertEquals(counts, responder.countsByState());
  }
}
