package io.responder.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.Block;
import io.responder.core.BreachReceipt;
import io.responder.testkit.Appointment;
import io.responder.testkit.TestTransaction;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** B6: the watcher's threads hand over breaches while the chain thread connects blocks. */
class ConcurrencyTest {
  @Test
  void concurrentBreachesDuringOnBlockLoseNoTracker() throws Exception {
    Harness h = new Harness();
    int threads = 4;
    int perThread = 60;
    List<List<Appointment>> work = new ArrayList<>();
    List<TestTransaction> disputes = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      List<Appointment> mine = new ArrayList<>();
      for (int i = 0; i < perThread; i++) {
        Appointment a = Appointment.random(h.rng);
        // every fifth shares a penalty with the one before it, across the same thread
        mine.add(i % 5 == 4 ? mine.get(i - 1).sibling(h.rng) : a);
        if (i % 5 != 4) {
          disputes.add(a.dispute());
        }
      }
      work.add(mine);
    }
    Block disputeBlock = h.deliver(h.chain.mineTransactions(disputes.toArray(TestTransaction[]::new)));
    List<Block> blocks = h.chain.mineEmpty(30);

    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<List<BreachReceipt>>> watchers = new ArrayList<>();
      for (List<Appointment> mine : work) {
        watchers.add(pool.submit(() -> {
          go.await();
          List<BreachReceipt> receipts = new ArrayList<>();
          for (Appointment a : mine) {
            receipts.add(h.responder.handleBreach(a.breach(disputeBlock.ref())));
            h.responder.countsByState(); // queries run concurrently too
          }
          return receipts;
        }));
      }
      Future<?> chainLoop = pool.submit(() -> {
        go.await();
        for (Block b : blocks) {
          h.responder.onBlock(b);
        }
        return null;
      });
      go.countDown();
      chainLoop.get(60, TimeUnit.SECONDS);
      Set<UUID> accepted = new HashSet<>();
      for (Future<List<BreachReceipt>> f : watchers) {
        for (BreachReceipt r : f.get(60, TimeUnit.SECONDS)) {
          assertTrue(r.tracked(), r.toString());
          assertTrue(accepted.add(r.uuid()), "uuid handled twice: " + r.uuid());
        }
      }
      assertEquals(threads * perThread, accepted.size());
      Set<UUID> stored = new HashSet<>(h.store.snapshot().keySet());
      assertEquals(accepted, stored);
      assertEquals(h.chain.tip(), h.responder.tip());
      h.checkInvariants();
    } finally {
      pool.shutdownNow();
    }
  }
}
