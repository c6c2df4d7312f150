package io.responder.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.Block;
import io.responder.core.BlockRef;
import io.responder.core.InvalidInputException;
import io.responder.core.Responder;
import io.responder.core.StoreUpdate;
import io.responder.core.TrackerPage;
import io.responder.core.TrackerState;
import io.responder.core.TrackerStatus;
import io.responder.core.TrackerStore;
import io.responder.core.TransactionTracker;
import io.responder.store.inmemory.InMemoryTrackerStore;
import io.responder.testkit.Appointment;
import io.responder.testkit.FakeChain;
import io.responder.testkit.ForwardingTrackerStore;
import io.responder.testkit.TestTransaction;
import io.responder.testkit.TrackerStoreContract;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Queries never hold up the chain: listing trackers reads the store without the Responder's lock
 * (a block completes while a listing is held inside a store read), pages cover every tracker exactly
 * once while blocks change them, and counts come from counters, not from a walk or a store read.
 *
 * <p>The timeouts on {@link Future#get} only turn a deadlock (a query holding the lock) into a
 * failure instead of a hung build; nothing here measures speed.
 */
class QueriesWithoutTheLockTest {
  private static final long DEADLOCK_GUARD_SECONDS = 60;

  private final Random rng = new Random(15);
  private final FakeChain chain = FakeChain.atHeight(600);
  private final HeldStore store = new HeldStore(new InMemoryTrackerStore());
  private final Responder responder = Responder.builder().carrier(chain).blockSource(chain).store(store).start();
  private final ExecutorService pool = Executors.newFixedThreadPool(2);

  @AfterEach
  void stop() {
    store.release.countDown();
    pool.shutdownNow();
    responder.checkConsistency();
  }

  @Test
  void aBlockCompletesWhileAPageIsHeldInsideTheStoreRead() throws Exception {
    List<Appointment> tracked = breachedAndHandedOver(30);
    store.holdNextRead();
    Future<TrackerPage> listing = pool.submit(() -> responder.trackers(null, 10));
    assertTrue(store.entered.await(DEADLOCK_GUARD_SECONDS, TimeUnit.SECONDS), "the listing reached the store");

    // The listing is inside the store's read: a block, a breach and the other queries go on meanwhile.
    Block confirming = chain.mineOnly(tracked.get(0).penalty().txid());
    Future<?> chainLoop = pool.submit(() -> {
      responder.onBlock(confirming);
      Appointment late = Appointment.random(rng);
      responder.onBlock(chain.mineTransactions(late.dispute()));
      responder.handleBreach(late.breach(chain.tip()));
      return null;
    });
    chainLoop.get(DEADLOCK_GUARD_SECONDS, TimeUnit.SECONDS);
    assertFalse(listing.isDone(), "the listing is still held in the store");
    assertEquals(chain.tip(), responder.tip());
    assertEquals(31, responder.trackerCount());
    assertEquals(1, responder.countsByState().get(TrackerState.CONFIRMED));
    assertTrue(responder.tracker(tracked.get(0).uuid()).isPresent());

    store.release.countDown();
    TrackerPage page = listing.get(DEADLOCK_GUARD_SECONDS, TimeUnit.SECONDS);
    assertEquals(10, page.trackers().size());
    assertEquals(Optional.of(page.trackers().get(9).uuid()), page.next());
  }

  @Test
  void aBlockCompletesWhileTheWholeListingIsHeldInsideTheStoreRead() throws Exception {
    List<Appointment> tracked = breachedAndHandedOver(5);
    store.holdNextRead();
    Future<List<TransactionTracker>> listing = pool.submit(() -> responder.trackers());
    assertTrue(store.entered.await(DEADLOCK_GUARD_SECONDS, TimeUnit.SECONDS), "the listing reached the store");

    Block confirming = chain.mineOnly(tracked.get(0).penalty().txid());
    pool.submit(() -> responder.onBlock(confirming)).get(DEADLOCK_GUARD_SECONDS, TimeUnit.SECONDS);
    assertEquals(confirming.ref(), responder.tip());

    store.release.countDown();
    assertEquals(5, listing.get(DEADLOCK_GUARD_SECONDS, TimeUnit.SECONDS).size());
  }

  /**
   * 2,000 trackers listed 37 at a time while, in the middle of every page's store read, another
   * thread connects a block (confirming some penalties) and hands over a new breach. Every tracker
   * that exists throughout is listed exactly once, in uuid order; each is listed with a status it
   * really had, from before or after the blocks processed meanwhile; new ones appear at most once.
   */
  @Test
  void pagesCoverEveryTrackerOnceWhileBlocksChangeThem() throws Exception {
    List<Appointment> tracked = breachedAndHandedOver(2_000);
    Set<UUID> throughout = new HashSet<>();
    tracked.forEach(a -> throughout.add(a.uuid()));
    // Every status each tracker had at any point of the listing.
    Map<UUID, Set<TrackerStatus>> seen = new HashMap<>();
    Runnable remember = () -> store.delegate.snapshot().forEach((u, t) -> seen.computeIfAbsent(u, k -> new HashSet<>())
        .add(t.status()));
    remember.run();
    int[] next = {0};
    List<UUID> late = new ArrayList<>();
    store.duringEveryPageRead(() -> {
      // On another thread: a query holding the lock would deadlock here.
      Future<?> block = pool.submit(() -> {
        Appointment a = Appointment.random(rng);
        List<TestTransaction> mined = new ArrayList<>(List.of(a.dispute()));
        for (int i = 0; i < 25 && next[0] < tracked.size(); i++) {
          mined.add(tracked.get(next[0]++).penalty());
        }
        responder.onBlock(chain.mineTransactions(mined.toArray(TestTransaction[]::new)));
        responder.handleBreach(a.breach(chain.tip()));
        late.add(a.uuid());
        remember.run();
      });
      try {
        block.get(DEADLOCK_GUARD_SECONDS, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("a block could not complete during a page read", e);
      }
    });

    List<TransactionTracker> listed = new ArrayList<>();
    UUID after = null;
    int pages = 0;
    do {
      TrackerPage page = responder.trackers(after, 37);
      assertTrue(page.trackers().size() <= 37);
      listed.addAll(page.trackers());
      after = page.next().orElse(null);
      pages++;
    } while (after != null);
    store.duringEveryPageRead(null);

    assertTrue(pages > 50, pages + " pages");
    assertTrue(next[0] > 1_000, "blocks confirmed " + next[0] + " penalties during the listing");
    Set<UUID> once = new HashSet<>();
    for (int i = 0; i < listed.size(); i++) {
      TransactionTracker t = listed.get(i);
      assertTrue(once.add(t.uuid()), "listed twice: " + t.uuid());
      if (i > 0) {
        assertTrue(TrackerPage.ORDER.compare(listed.get(i - 1).uuid(), t.uuid()) < 0, "out of order at " + i);
      }
      assertTrue(seen.get(t.uuid()).contains(t.status()), t.uuid() + " listed as " + t.status()
          + ", a status it never had: " + seen.get(t.uuid()));
    }
    assertTrue(once.containsAll(throughout), "every tracker that existed throughout is listed");
    Set<UUID> extra = new HashSet<>(once);
    extra.removeAll(throughout);
    assertTrue(late.containsAll(extra), "nothing listed that was never tracked");
    assertTrue(listed.stream().anyMatch(t -> t.status() instanceof TrackerStatus.Confirmed), "some listed after a block");
    assertTrue(listed.stream().anyMatch(t -> throughout.contains(t.uuid()) && t.status() instanceof TrackerStatus.InMempool
        && chain.confirmationHeight(t.penaltyTxid()).isPresent()), "some listed before the block that confirmed them");
  }

  @Test
  void countsComeFromCountersWithoutReadingTheStore() {
    breachedAndHandedOver(3);
    store.holdNextRead(); // any store read from here would hang the test thread
    assertEquals(Map.of(TrackerState.PENDING, 0, TrackerState.IN_MEMPOOL, 3, TrackerState.CONFIRMED, 0),
        responder.countsByState());
    assertEquals(3, responder.trackerCount());
    assertEquals(1, store.entered.getCount(), "no store read");
    store.release.countDown();
  }

  @Test
  void aPageSizeOutOfRangeIsRefused() {
    for (int bad : new int[] {0, -1, TrackerPage.MAX_SIZE + 1}) {
      InvalidInputException e = assertThrows(InvalidInputException.class, () -> responder.trackers(null, bad));
      assertEquals("pageSize", e.field());
    }
    assertEquals(new TrackerPage(List.of(), Optional.empty()), responder.trackers(null, TrackerPage.MAX_SIZE));
  }

  /** The store contract's default {@code loadPage}, for stores that only implement the four reads and writes. */
  @Nested
  class DefaultPagingTest extends TrackerStoreContract {
    @Override
    protected TrackerStore createStore() {
      return new FourMethodStore(new InMemoryTrackerStore());
    }
  }

  private List<Appointment> breachedAndHandedOver(int n) {
    List<Appointment> out = new ArrayList<>();
    List<TestTransaction> disputes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Appointment a = Appointment.random(rng);
      out.add(a);
      disputes.add(a.dispute());
    }
    Block disputeBlock = chain.mineTransactions(disputes.toArray(TestTransaction[]::new));
    responder.onBlock(disputeBlock);
    for (Appointment a : out) {
      assertTrue(responder.handleBreach(a.breach(disputeBlock.ref())).tracked());
    }
    return out;
  }

  @Test
  void aForwardingStoreForwardsPagesRatherThanReadingEverything() {
    List<TransactionTracker> page = List.of();
    TrackerStore onlyPages = new TrackerStore() {
      @Override
      public Optional<BlockRef> loadTip() {
        return Optional.empty();
      }

      @Override
      public void loadTrackers(Consumer<TransactionTracker> sink) {
        throw new AssertionError("the whole store was read for a page");
      }

      @Override
      public Optional<TransactionTracker> find(UUID uuid) {
        return Optional.empty();
      }

      @Override
      public void commit(StoreUpdate update) {}

      @Override
      public List<TransactionTracker> loadPage(@Nullable UUID after, int limit) {
        return page;
      }
    };
    ForwardingTrackerStore forwarding = new ForwardingTrackerStore() {
      @Override
      protected TrackerStore delegate() {
        return onlyPages;
      }
    };

    assertTrue(forwarding.loadPage(null, 10) == page, "the delegate's own page");
  }

  /** A store that implements only the abstract methods: {@code loadPage} is the interface's default. */
  private record FourMethodStore(TrackerStore delegate) implements TrackerStore {
    @Override
    public Optional<BlockRef> loadTip() {
      return delegate.loadTip();
    }

    @Override
    public void loadTrackers(Consumer<TransactionTracker> sink) {
      delegate.loadTrackers(sink);
    }

    @Override
    public Optional<TransactionTracker> find(UUID uuid) {
      return delegate.find(uuid);
    }

    @Override
    public void commit(StoreUpdate update) {
      delegate.commit(update);
    }
  }

  /**
   * Wraps the in-memory store so a test can hold a listing inside its store read ({@link #holdNextRead}:
   * the next {@code loadPage} or {@code loadTrackers} waits for {@link #release}), or run work in the
   * middle of every page read.
   */
  static final class HeldStore extends ForwardingTrackerStore {
    final InMemoryTrackerStore delegate;
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    private volatile boolean hold;
    private volatile @Nullable Runnable duringPageRead;

    HeldStore(InMemoryTrackerStore delegate) {
      this.delegate = delegate;
    }

    void holdNextRead() {
      hold = true;
    }

    void duringEveryPageRead(@Nullable Runnable work) {
      duringPageRead = work;
    }

    private void maybeHold() {
      if (hold) {
        hold = false;
        entered.countDown();
        try {
          assertTrue(release.await(DEADLOCK_GUARD_SECONDS, TimeUnit.SECONDS), "never released");
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }

    @Override
    public List<TransactionTracker> loadPage(@Nullable UUID after, int limit) {
      maybeHold();
      Runnable work = duringPageRead;
      boolean before = work != null && (after == null || (after.getLeastSignificantBits() & 1) == 0);
      if (before) {
        work.run(); // the page sees the block
      }
      List<TransactionTracker> page = delegate.loadPage(after, limit);
      if (work != null && !before) {
        work.run(); // the page was read before the block
      }
      assertNotNull(page);
      return page;
    }

    @Override
    public void loadTrackers(Consumer<TransactionTracker> sink) {
      maybeHold();
      delegate.loadTrackers(sink);
    }

    @Override
    protected TrackerStore delegate() {
      return delegate;
    }
  }
}
