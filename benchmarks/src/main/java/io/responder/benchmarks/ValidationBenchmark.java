package io.responder.benchmarks;

import io.responder.core.BlockHash;
import io.responder.core.Breach;
import io.responder.core.TrackerStatus;
import io.responder.core.TransactionTracker;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What checking a penalty costs, per transaction: {@link Breach.Builder#build()} (the hand-over's
 * validation: hex, lengths, the raw penalty parsed and hashed against its txid) and
 * {@link TransactionTracker#decode(String)} (a store's read of one stored tracker, which checks the
 * same again). A durable store's rebroadcast storm decodes every penalty it sends; start-up decodes
 * every tracker. 1,024 different breaches, taken in turn.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1)
public class ValidationBenchmark {
  private static final int COUNT = 1024;

  private final Breach.Builder[] builders = new Breach.Builder[COUNT];
  private final String[] encoded = new String[COUNT];
  private int next;

  /** Prepares the breaches and their stored form. */
  @Setup(Level.Trial)
  public void setUp() {
    SyntheticBreaches breaches = new SyntheticBreaches(11);
    BlockHash seenIn = SyntheticBreaches.blockHash(11, 800_000);
    for (int i = 0; i < COUNT; i++) {
      Breach b = breaches.breach(i, seenIn, -1);
      builders[i] = Breach.builder().uuid(b.uuid()).locator(b.locator()).disputeTxid(b.disputeTxid())
          .penaltyTxid(b.penaltyTxid()).penaltyRawTx(b.penaltyRawTx()).userId(b.userId()).seenInBlock(seenIn);
      encoded[i] = TransactionTracker.of(b, OptionalInt.of(800_000), new TrackerStatus.InMempool(800_000)).encode();
    }
  }

  /** @return a breach validated from its parts */
  @Benchmark
  public Breach buildBreach() {
    return builders[next++ & (COUNT - 1)].build();
  }

  /** @return a stored tracker read back and checked */
  @Benchmark
  public TransactionTracker decodeStoredTracker() {
    return TransactionTracker.decode(encoded[next++ & (COUNT - 1)]);
  }
}
