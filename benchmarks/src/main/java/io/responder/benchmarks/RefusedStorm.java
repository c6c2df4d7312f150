package io.responder.benchmarks;

import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.BroadcastResult;
import io.responder.core.Carrier;
import io.responder.core.Responder;
import io.responder.core.ResendReason;
import io.responder.core.ResponderConfig;
import io.responder.core.ResponderListener;
import io.responder.core.Txid;
import io.responder.core.TxStatus;
import io.responder.store.inmemory.InMemoryTrackerStore;
import io.responder.testkit.Appointment;
import io.responder.testkit.FakeChain;
import io.responder.testkit.TestTransaction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

/**
 * A rebroadcast storm the node refuses, timed block by block: what a tower sees when the node's
 * mempool fills up and its minimum feerate rises above every penalty's. N disputes are mined in one
 * block and their penalties handed over (the carrier accepts them); then the carrier refuses every
 * send ({@code RejectedForNow(-26, "mempool min fee not met")}), and empty blocks follow until the
 * penalties' count of missed blocks turns over, sends them all again, and they turn pending; each
 * block after retries them all (one by default, {@code --retries N} for more: the mempool stays full).
 *
 * <p>Made to measure the host's logging: run it with a logging binding first on the class path (the
 * jar's own is {@code slf4j-nop}). One storm in a fresh JVM, so its figures include the compiler's
 * and the collector's first work; compare builds run the same way, one after another.
 *
 * <pre>{@code java -cp SLF4J_SIMPLE_JAR:benchmarks/target/benchmarks.jar \
 *     -Dorg.slf4j.simpleLogger.defaultLogLevel=info -Dorg.slf4j.simpleLogger.logFile=target/refused.log \
 *     io.responder.benchmarks.RefusedStorm --penalties 200000}</pre>
 *
 * <p>Prints one line per block after the intake ({@code block=K ms=... refused=...}, the count of
 * penalties the listener heard refused in that block) and a last line with the totals ({@code
 * retry_ms} is the median of the retry blocks).
 */
public final class RefusedStorm {
  private RefusedStorm() {}

  /**
   * Runs the storm.
   *
   * @param args {@code --penalties N} (default 200,000), {@code --retries N} (blocks after the storm,
   *     default 1) and {@code --seed S} (default 7)
   */
  public static void main(String[] args) {
    int penalties = 200_000;
    long seed = 7;
    int retries = 1;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--penalties" -> penalties = Integer.parseInt(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--retries" -> retries = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException(
            "unknown argument " + args[i] + "; expected --penalties N, --retries N, --seed S");
      }
    }
    if (penalties < 1) {
      throw new IllegalArgumentException("--penalties must be at least 1, got " + penalties);
    }
    if (retries < 1) {
      throw new IllegalArgumentException("--retries must be at least 1, got " + retries);
    }
    run(penalties, retries, seed);
  }

  private static void run(int penalties, int retries, long seed) {
    Random rng = new Random(seed);
    FakeChain chain = FakeChain.create(); // makes the blocks; the node's answers are the carrier's
    RefusingCarrier carrier = new RefusingCarrier();
    RefusalCount listener = new RefusalCount();
    ResponderConfig config = ResponderConfig.defaults();
    Responder responder = Responder.builder().config(config).carrier(carrier).blockSource(chain)
        .store(new InMemoryTrackerStore()).listener(listener).start();
    List<Appointment> appointments = new ArrayList<>(penalties);
    for (int i = 0; i < penalties; i++) {
      appointments.add(Appointment.random(rng));
    }
    Block disputes = chain.mineTransactions(appointments.stream().map(Appointment::dispute).toArray(TestTransaction[]::new));
    responder.onBlock(disputes);
    for (Appointment a : appointments) {
      responder.handleBreach(a.breach(disputes.ref()));
    }
    carrier.refusing = true;
    long refusedBefore = 0;
    double stormMs = 0;
    double[] retryMs = new double[retries];
    int storm = config.rebroadcastAfterMissed();
    int blocks = storm + retries;
    for (int k = 1; k <= blocks; k++) {
      Block block = chain.mineEmpty();
      long start = System.nanoTime();
      responder.onBlock(block);
      double ms = (System.nanoTime() - start) / 1e6;
      long refused = listener.refused - refusedBefore;
      refusedBefore = listener.refused;
      if (k == storm) {
        stormMs = ms;
      } else if (k > storm) {
        retryMs[k - storm - 1] = ms;
      }
      System.out.printf("block=%d ms=%.1f refused=%d%n", k, ms, refused);
    }
    Arrays.sort(retryMs);
    System.out.printf("penalties=%d storm_ms=%.1f retry_ms=%.1f refused=%d sends=%d%n", penalties, stormMs,
        retryMs[retries / 2], listener.refused, carrier.sends);
  }

  /** Counts the resends the node did not take, one per tracker. */
  private static final class RefusalCount implements ResponderListener {
    long refused;

    @Override
    public void penaltyResent(UUID uuid, Txid penaltyTxid, ResendReason reason, BroadcastResult result) {
      if (!result.delivered()) {
        refused++;
      }
    }
  }

  /** Accepts every send until {@link #refusing}, then refuses every send as a full mempool does. */
  private static final class RefusingCarrier implements Carrier {
    volatile boolean refusing;
    long sends;

    @Override
    public BroadcastResult broadcast(Txid txid, byte[] rawTransaction) {
      sends++;
      return refusing ? new BroadcastResult.RejectedForNow(-26, "mempool min fee not met") : new BroadcastResult.Accepted();
    }

    @Override
    public TxStatus status(Txid txid, Optional<BlockHash> inBlock) {
      return new TxStatus.NotFound();
    }
  }
}
