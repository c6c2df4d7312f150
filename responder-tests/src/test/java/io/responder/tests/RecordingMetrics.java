package io.responder.tests;

import io.responder.core.ResponderHealth;
import io.responder.core.ResponderMetrics;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ResponderMetrics} that keeps what it is told, on a clock the test moves by hand (a port
 * wrapper "takes" so many nanoseconds by advancing it), so durations are exact without timing
 * anything. Thread-safe.
 */
final class RecordingMetrics implements ResponderMetrics {
  private long now = 1_000;
  private final Map<Event, Long> counts = new EnumMap<>(Event.class);
  private final Map<PortCall, long[]> calls = new EnumMap<>(PortCall.class); // ok, failed, nanos
  private long blocksCommitted;
  private long blocksFailed;
  private long blockNanos;
  private final List<ResponderHealth> healths = new ArrayList<>();

  synchronized void advance(long nanos) {
    now += nanos;
  }

  @Override
  public synchronized long nanoTime() {
    return now;
  }

  @Override
  public synchronized void blockProcessed(long nanos, boolean committed) {
    if (committed) {
      blocksCommitted++;
    } else {
      blocksFailed++;
    }
    blockNanos += nanos;
  }

  @Override
  public synchronized void portCalled(PortCall call, long nanos, boolean succeeded) {
    long[] c = calls.computeIfAbsent(call, k -> new long[3]);
    c[succeeded ? 0 : 1]++;
    c[2] += nanos;
  }

  @Override
  public synchronized void counted(Event event, int count) {
    counts.merge(event, (long) count, Long::sum);
  }

  @Override
  public synchronized void healthChanged(ResponderHealth health) {
    healths.add(health);
  }

  synchronized long count(Event event) {
    return counts.getOrDefault(event, 0L);
  }

  synchronized Map<Event, Long> counts() {
    return new EnumMap<>(counts);
  }

  synchronized long succeeded(PortCall call) {
    return calls.getOrDefault(call, new long[3])[0];
  }

  synchronized long failed(PortCall call) {
    return calls.getOrDefault(call, new long[3])[1];
  }

  synchronized long nanos(PortCall call) {
    return calls.getOrDefault(call, new long[3])[2];
  }

  synchronized long blocksCommitted() {
    return blocksCommitted;
  }

  synchronized long blocksFailed() {
    return blocksFailed;
  }

  synchronized long blockNanos() {
    return blockNanos;
  }

  synchronized int healthChanges() {
    return healths.size();
  }

  synchronized @Nullable ResponderHealth lastHealth() {
    return healths.isEmpty() ? null : healths.get(healths.size() - 1);
  }
}
