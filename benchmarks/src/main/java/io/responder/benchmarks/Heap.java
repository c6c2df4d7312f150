package io.responder.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/** Heap measurement by difference: used heap after full collections. Not thread-safe. */
final class Heap {
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private Heap() {}

  /**
   * Collects until the used heap stops shrinking, then returns it.
   *
   * @return bytes of heap in use after collection
   */
  static long usedAfterGc() {
    long last = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      System.gc();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      long used = MEMORY.getHeapMemoryUsage().getUsed();
      if (used >= last && i >= 2) {
        return Math.min(used, last);
      }
      last = Math.min(last, used);
    }
    return last;
  }
}
