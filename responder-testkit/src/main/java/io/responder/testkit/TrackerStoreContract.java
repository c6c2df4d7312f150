package io.responder.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.InvalidInputException;
import io.responder.core.Responder;
import io.responder.core.StoreUpdate;
import io.responder.core.TrackerPage;
import io.responder.core.TrackerStatus;
import io.responder.core.TrackerStore;
import io.responder.core.TransactionTracker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link TrackerStore} must honour, as a JUnit 5 suite: extend it, implement
 * {@link #createStore()} (and {@link #reopen(TrackerStore)} for a durable store), and every test here
 * runs against your store.
 *
 * <pre>{@code
 * class MyStoreTest extends TrackerStoreContract {
 *   protected TrackerStore createStore() { return new MyStore(freshDatabase()); }
 *   protected TrackerStore reopen(TrackerStore store) { ((MyStore) store).close(); return new MyStore(sameDatabase()); }
 * }
 * }</pre>
 *
 * <p>It checks: a fresh store is empty; added trackers come back field for field, also after a
 * reopen; status changes and removals apply, and are ignored for unknown uuids; the tip moves only
 * when an update names one; a refused update changes nothing; readers never see half an update; pages
 * ({@link TrackerStore#loadPage}) list every tracker once in {@link TrackerPage#ORDER}, also after
 * their cursor was removed; several trackers read at once ({@link TrackerStore#findAll}) come back
 * in the order asked, as {@code find} reads each, in batches of a positive size
 * ({@link TrackerStore#findAllBatchSize}); and a Responder restarted over the store resumes the state it committed.
 *
 * @since 0.1.0
 */
public abstract class TrackerStoreContract {
  /** For subclasses. */
  protected TrackerStoreContract() {}

  /**
   * Creates an empty store; called once per test.
   *
   * @return the store under test
   * @throws Exception if it cannot be created
   */
  protected abstract TrackerStore createStore() throws Exception;

  /**
   * Simulates a process restart: closes {@code store} and opens the same data again. The default
   * returns {@code store} itself, which is right for a store that lives only in memory.
   *
   * @param store a store made by {@link #createStore()}
   * @return a store over the same data
   * @throws Exception if it cannot be reopened
   */
  protected TrackerStore reopen(TrackerStore store) throws Exception {
    return store;
  }

  private final Random rng = new Random(20261124);

  private BlockRef block(int height) {
    byte[] b = new byte[32];
    rng.nextBytes(b);
    return new BlockRef(BlockHash.fromDisplayBytes(b), height);
  }

  private TransactionTracker tracker(TrackerStatus status) {
    return TransactionTracker.of(Appointment.random(rng).breach(block(100)), OptionalInt.of(100), status);
  }

  private static StoreUpdate add(TransactionTracker... trackers) {
    return new StoreUpdate(List.of(trackers), Map.of(), Set.of(), Optional.empty());
  }

  private static Map<UUID, TransactionTracker> contents(TrackerStore store) {
    Map<UUID, TransactionTracker> out = new HashMap<>();
    store.loadTrackers(t -> {
      if (out.put(t.uuid(), t) != null) {
        throw new AssertionError("loadTrackers gave " + t.uuid() + " twice");
      }
    });
    return out;
  }

  @Test
  void freshStoreIsEmpty() throws Exception {
    TrackerStore store = createStore();
    assertEquals(Optional.empty(), store.loadTip());
    assertEquals(Map.of(), contents(store));
    assertEquals(Optional.empty(), store.find(UUID.randomUUID()));
  }

  @Test
  void addedTrackersComeBackFieldForField() throws Exception {
    TrackerStore store = createStore();
    TransactionTracker pending = tracker(new TrackerStatus.Pending(100));
    TransactionTracker inMempool = tracker(new TrackerStatus.InMempool(101));
    TransactionTracker confirmed = tracker(new TrackerStatus.Confirmed(block(102)));
    TransactionTracker bare = TransactionTracker.of(
        Appointment.random(rng).breachBuilder(block(100).hash()).disputeRawTx((byte[]) null)
            .subscriptionEndHeight(150).build(),
        OptionalInt.empty(), new TrackerStatus.InMempool(100));
    store.commit(add(pending, inMempool, confirmed, bare));

    assertHolds(store, List.of(pending, inMempool, confirmed, bare));
    // A durable store's reopen closes the first instance: check the new one only.
    assertHolds(reopen(store), List.of(pending, inMempool, confirmed, bare));
  }

  private static void assertHolds(TrackerStore store, List<TransactionTracker> expected) {
    Map<UUID, TransactionTracker> all = contents(store);
    assertEquals(expected.size(), all.size());
    for (TransactionTracker t : expected) {
      assertEquals(t, all.get(t.uuid()));
      assertEquals(Optional.of(t), store.find(t.uuid()));
    }
  }

  @Test
  void statusChangesApplyAndSurviveReopen() throws Exception {
    TrackerStore store = createStore();
    TransactionTracker t = tracker(new TrackerStatus.Pending(100));
    store.commit(add(t));
    TrackerStatus mempool = new TrackerStatus.InMempool(101);
    store.commit(new StoreUpdate(List.of(), Map.of(t.uuid(), mempool), Set.of(), Optional.of(block(101))));
    assertEquals(mempool, store.find(t.uuid()).orElseThrow().status());
    TrackerStatus confirmed = new TrackerStatus.Confirmed(block(102));
    store.commit(new StoreUpdate(List.of(), Map.of(t.uuid(), confirmed), Set.of(), Optional.of(block(102))));
    store = reopen(store);
    assertEquals(t.withStatus(confirmed), store.find(t.uuid()).orElseThrow());
  }

  @Test
  void findAllReadsSeveralInTheOrderAskedWithNullForTheMissing() throws Exception {
    TrackerStore store = createStore();
    TransactionTracker a = tracker(new TrackerStatus.InMempool(100));
    TransactionTracker b = tracker(new TrackerStatus.Pending(100));
    store.commit(add(a, b));
    TrackerStatus confirmed = new TrackerStatus.Confirmed(block(101));
    store.commit(new StoreUpdate(List.of(), Map.of(a.uuid(), confirmed), Set.of(), Optional.empty()));
    UUID unknown = UUID.randomUUID();

    List<TransactionTracker> found = store.findAll(List.of(b.uuid(), unknown, a.uuid(), b.uuid()));

    assertEquals(Arrays.asList(b, null, a.withStatus(confirmed), b), found, "as find reads each, latest status");
    assertEquals(List.of(), store.findAll(List.of()));
    assertThrows(NullPointerException.class, () -> store.findAll(null));
    assertThrows(NullPointerException.class, () -> store.findAll(Arrays.asList(a.uuid(), null)));
  }

  /** A read of more trackers than a store may name in one query (a storm's batch) misses none. */
  @Test
  void findAllReadsALongListWhole() throws Exception {
    TrackerStore store = createStore();
    List<TransactionTracker> stored = new ArrayList<>();
    for (int i = 0; i < 1200; i++) {
      stored.add(tracker(new TrackerStatus.InMempool(100)));
    }
    store.commit(new StoreUpdate(stored, Map.of(), Set.of(), Optional.empty()));
    List<UUID> asked = new ArrayList<>();
    List<TransactionTracker> expected = new ArrayList<>();
    for (int i = stored.size() - 1; i >= 0; i--) { // not the order they were stored in
      asked.add(stored.get(i).uuid());
      expected.add(stored.get(i));
      if (i % 300 == 0) {
        asked.add(UUID.randomUUID());
        expected.add(null);
      }
    }

    assertEquals(expected, store.findAll(asked));
  }

  /** The batch a store asks for is one a Responder can start with: at least one tracker. */
  @Test
  void findAllBatchSizeIsPositive() throws Exception {
    TrackerStore store = createStore();
    int size = store.findAllBatchSize();
    assertTrue(size >= 1, "findAllBatchSize() answered " + size);
  }

  @Test
  void removalDeletesAndUnknownUuidsAreIgnored() throws Exception {
    TrackerStore store = createStore();
    TransactionTracker kept = tracker(new TrackerStatus.InMempool(100));
    TransactionTracker removed = tracker(new TrackerStatus.InMempool(100));
    store.commit(add(kept, removed));
    store.commit(new StoreUpdate(List.of(), Map.of(UUID.randomUUID(), new TrackerStatus.InMempool(105)),
        Set.of(removed.uuid(), UUID.randomUUID()), Optional.empty()));
    store = reopen(store);
    assertEquals(Map.of(kept.uuid(), kept), contents(store));
    assertEquals(Optional.empty(), store.find(removed.uuid()));
  }

  @Test
  void tipMovesOnlyWhenAnUpdateNamesOne() throws Exception {
    TrackerStore store = createStore();
    BlockRef first = block(100);
    store.commit(new StoreUpdate(List.of(), Map.of(), Set.of(), Optional.of(first)));
    store.commit(add(tracker(new TrackerStatus.InMempool(100))));
    assertEquals(Optional.of(first), store.loadTip());
    BlockRef second = block(101);
    store.commit(new StoreUpdate(List.of(), Map.of(), Set.of(), Optional.of(second)));
    store = reopen(store);
    assertEquals(Optional.of(second), store.loadTip());
  }

  @Test
  void aRefusedUpdateChangesNothing() throws Exception {
    TrackerStore store = createStore();
    BlockRef tip = block(100);
    TransactionTracker existing = tracker(new TrackerStatus.InMempool(100));
    TransactionTracker other = tracker(new TrackerStatus.InMempool(100));
    store.commit(new StoreUpdate(List.of(existing, other), Map.of(), Set.of(), Optional.of(tip)));

    TransactionTracker fresh = tracker(new TrackerStatus.Pending(101));
    StoreUpdate bad = new StoreUpdate(
        List.of(fresh, tracker(new TrackerStatus.Pending(101)), existing), // existing is already stored
        Map.of(other.uuid(), new TrackerStatus.Confirmed(block(101))),
        Set.of(), Optional.of(block(101)));
    TrackerStore s = store;
    assertThrows(RuntimeException.class, () -> s.commit(bad));

    store = reopen(store);
    assertEquals(Optional.of(tip), store.loadTip());
    assertEquals(Map.of(existing.uuid(), existing, other.uuid(), other), contents(store));
  }

  @Test
  void trackersSharingAPenaltyAreStoredIndependently() throws Exception {
    TrackerStore store = createStore();
    Appointment a = Appointment.random(rng);
    Appointment sibling = a.sibling(rng);
    BlockRef seen = block(100);
    TransactionTracker t1 = TransactionTracker.of(a.breach(seen), OptionalInt.of(100), new TrackerStatus.InMempool(100));
    TransactionTracker t2 = TransactionTracker.of(sibling.breach(seen), OptionalInt.of(100), new TrackerStatus.InMempool(100));
    store.commit(add(t1, t2));
    store.commit(new StoreUpdate(List.of(), Map.of(), Set.of(t1.uuid()), Optional.empty()));
    store = reopen(store);
    assertEquals(Map.of(t2.uuid(), t2), contents(store));
  }

  @Test
  void manyTrackersRoundTrip() throws Exception {
    TrackerStore store = createStore();
    Map<UUID, TransactionTracker> expected = new HashMap<>();
    for (int batch = 0; batch < 10; batch++) {
      List<TransactionTracker> added = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        TransactionTracker t = tracker(new TrackerStatus.InMempool(100 + batch));
        added.add(t);
        expected.put(t.uuid(), t);
      }
      store.commit(new StoreUpdate(added, Map.of(), Set.of(), Optional.of(block(100 + batch))));
    }
    store = reopen(store);
    assertEquals(expected, contents(store));
  }

  @Test
  void pagesListEveryTrackerOnceInUuidOrder() throws Exception {
    TrackerStore store = createStore();
    List<TransactionTracker> all = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      all.add(tracker(i % 3 == 0 ? new TrackerStatus.Pending(100) : new TrackerStatus.InMempool(100)));
    }
    // uuids on both sides of the sign bit: a signed comparison would list them in another order
    for (UUID u : List.of(new UUID(Long.MIN_VALUE, 0), new UUID(Long.MAX_VALUE, -1), new UUID(0, Long.MIN_VALUE),
        new UUID(0, Long.MAX_VALUE))) {
      all.add(TransactionTracker.of(Appointment.random(rng).breachBuilder(block(100).hash()).uuid(u).build(),
          OptionalInt.of(100), new TrackerStatus.InMempool(100)));
    }
    store.commit(new StoreUpdate(all, Map.of(), Set.of(), Optional.empty()));
    all.sort((a, b) -> TrackerPage.ORDER.compare(a.uuid(), b.uuid()));

    assertPagesList(store, all);
    // A durable store's reopen closes the first instance: check the new one only.
    assertPagesList(reopen(store), all);
  }

  private static void assertPagesList(TrackerStore store, List<TransactionTracker> all) {
    List<TransactionTracker> listed = new ArrayList<>();
    UUID after = null;
    while (true) {
      List<TransactionTracker> page = store.loadPage(after, 7);
      assertTrue(page.size() <= 7, "a page of " + page.size());
      listed.addAll(page);
      if (page.size() < 7) {
        break;
      }
      after = page.get(page.size() - 1).uuid();
    }
    assertEquals(all, listed);
    assertEquals(all, store.loadPage(null, TrackerPage.MAX_SIZE));
    assertEquals(List.of(), store.loadPage(all.get(all.size() - 1).uuid(), 10));
  }

  @Test
  void aPageContinuesAfterItsCursorWasRemoved() throws Exception {
    TrackerStore store = createStore();
    List<TransactionTracker> all = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      all.add(tracker(new TrackerStatus.InMempool(100)));
    }
    store.commit(new StoreUpdate(all, Map.of(), Set.of(), Optional.empty()));
    all.sort((a, b) -> TrackerPage.ORDER.compare(a.uuid(), b.uuid()));
    List<TransactionTracker> first = store.loadPage(null, 5);
    assertEquals(all.subList(0, 5), first);
    UUID cursor = first.get(4).uuid();
    store.commit(new StoreUpdate(List.of(), Map.of(), Set.of(cursor, all.get(5).uuid()), Optional.empty()));
    assertEquals(all.subList(6, 11), store.loadPage(cursor, 5));
  }

  @Test
  void aPageOfNoTrackersIsRefused() throws Exception {
    TrackerStore store = createStore();
    store.commit(add(tracker(new TrackerStatus.InMempool(100))));
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> store.loadPage(null, 0));
    assertEquals("limit", e.field());
    assertEquals(1, store.loadPage(null, 1).size());
  }

  @Test
  void readersNeverSeeHalfAnUpdate() throws Exception {
    TrackerStore store = createStore();
    ExecutorService reader = Executors.newSingleThreadExecutor();
    try {
      AtomicBoolean writing = new AtomicBoolean(true);
      CountDownLatch started = new CountDownLatch(1);
      Future<Integer> reads = reader.submit(() -> {
        int n = 0;
        started.countDown();
        while (writing.get() || n == 0) {
          int[] count = {0};
          store.loadTrackers(t -> count[0]++);
          if (count[0] % 2 != 0) {
            throw new AssertionError("saw " + count[0] + " trackers: half of a two-tracker update");
          }
          n++;
        }
        return n;
      });
      assertTrue(started.await(10, TimeUnit.SECONDS));
      for (int i = 0; i < 100; i++) {
        store.commit(add(tracker(new TrackerStatus.InMempool(100)), tracker(new TrackerStatus.InMempool(100))));
      }
      writing.set(false);
      assertTrue(reads.get(30, TimeUnit.SECONDS) > 0);
    } finally {
      reader.shutdownNow();
    }
  }

  @Test
  void aResponderRestartedOverTheStoreResumesWhatItCommitted() throws Exception {
    TrackerStore store = createStore();
    FakeChain chain = FakeChain.atHeight(200);
    Responder responder = Responder.builder().carrier(chain).blockSource(chain).store(store).start();
    Appointment confirmedSoon = Appointment.random(rng);
    Appointment waiting = Appointment.random(rng);
    chain.mineTransactions(confirmedSoon.dispute(), waiting.dispute());
    responder.onBlock(chain.blockAt(chain.tip().height()));
    responder.handleBreach(confirmedSoon.breach(chain.tip()));
    responder.handleBreach(waiting.breach(chain.tip()));
    chain.dropFromMempool(waiting.penalty().txid());
    responder.onBlock(chain.mineOnly(confirmedSoon.penalty().txid()));
    responder.onBlock(chain.mineEmpty());
    List<TransactionTracker> before = sorted(responder.trackers());
    BlockRef tipBefore = responder.tip();

    Responder restarted = Responder.builder().carrier(chain).blockSource(chain).store(reopen(store)).start();
    assertEquals(tipBefore, restarted.tip());
    assertEquals(before, sorted(restarted.trackers()));
    restarted.checkConsistency();
  }

  private static List<TransactionTracker> sorted(List<TransactionTracker> trackers) {
    List<TransactionTracker> out = new ArrayList<>(trackers);
    out.sort((a, b) -> a.uuid().compareTo(b.uuid()));
    return out;
  }
}
