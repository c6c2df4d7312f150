package io.responder.examples;

import io.responder.core.BlockRef;
import io.responder.core.BroadcastResult;
import io.responder.core.FeeRate;
import io.responder.core.ResendReason;
import io.responder.core.ResponderListener;
import io.responder.core.TrackerStatus;
import io.responder.core.TransactionTracker;
import io.responder.core.Txid;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A {@link ResponderListener} that prints every event as one readable line and counts them: what a
 * host's own listener would log, or turn into "delete this appointment" calls. Trackers and penalties
 * can be given names; unnamed ones, and penalties, are shown by a short prefix of their id.
 *
 * <p>Instances are thread-safe (every method holds the instance's monitor). The Responder calls a
 * listener with its lock held, so printing here is ordered with the Responder's own work.
 */
public final class ConsoleListener implements ResponderListener {
  /** Marks the lines that come from the Responder, to tell them from the host's narration. */
  static final String EVENT = "   > ";

  private final PrintStream out;
  private final Map<UUID, String> trackerNames = new HashMap<>();
  /** Confirmation height per tracker, learnt from the events themselves, to print depths at completion. */
  private final Map<UUID, Integer> confirmedAt = new HashMap<>();
  private int added;
  private int confirmed;
  private int resent;
  private int retries;
  private int retriesUnreached;
  private int completed;
  private int expired;
  private int rejected;
  private int reorgs;
  private int blocksDisconnected;

  /**
   * Creates a listener printing to {@code out}.
   *
   * @param out where the lines go
   */
  public ConsoleListener(PrintStream out) {
    this.out = Objects.requireNonNull(out, "out");
  }

  /**
   * Names a tracker in the lines printed about it.
   *
   * @param uuid the tracker
   * @param name a short name
   */
  public synchronized void name(UUID uuid, String name) {
    trackerNames.put(Objects.requireNonNull(uuid, "uuid"), Objects.requireNonNull(name, "name"));
  }

  /**
   * Names a transaction in print: "penalty" and the first 8 hex characters of its txid, enough to
   * tell penalties apart by eye.
   *
   * @param txid the penalty's txid
   * @return a short name
   */
  public static String penaltyName(Txid txid) {
    return "penalty " + txid.toHex().substring(0, 8);
  }

  private String nameOf(UUID uuid) {
    return trackerNames.getOrDefault(uuid, uuid.toString().substring(0, 8));
  }

  @Override
  public synchronized void trackerAdded(TransactionTracker tracker) {
    added++;
    print("tracker added       %-8s %s, %s", nameOf(tracker.uuid()), penaltyName(tracker.penaltyTxid()),
        describe(tracker.status()));
  }

  @Override
  public synchronized void penaltyConfirmed(UUID uuid, Txid penaltyTxid, BlockRef block) {
    confirmed++;
    confirmedAt.put(uuid, block.height());
    print("penalty confirmed   %-8s %s in block %d", nameOf(uuid), penaltyName(penaltyTxid), block.height());
  }

  @Override
  public synchronized void penaltyResent(UUID uuid, Txid penaltyTxid, ResendReason reason, BroadcastResult result) {
    confirmedAt.remove(uuid);
    if (reason == ResendReason.PENDING_RETRY) {
      // A pending penalty is retried on every block: the first send that reaches the node may be this one.
      retries++;
      if (result instanceof BroadcastResult.NodeUnavailable) {
        retriesUnreached++;
      }
      print("pending retry       %-8s %s: %s", nameOf(uuid), penaltyName(penaltyTxid), describe(result));
      return;
    }
    resent++;
    print("penalty sent again  %-8s %s (%s): %s", nameOf(uuid), penaltyName(penaltyTxid), describe(reason),
        describe(result));
  }

  private static String describe(ResendReason reason) {
    return switch (reason) {
      case MISSED_BLOCKS -> "it missed too many blocks";
      case REORGANISED -> "its block was disconnected";
      case AT_RISK -> "its deadline is near";
      case PENDING_RETRY -> "the node did not hold it";
    };
  }

  @Override
  public synchronized void trackerCompleted(UUID uuid, Txid penaltyTxid, BlockRef tip) {
    completed++;
    Integer at = confirmedAt.remove(uuid);
    String depth = at == null ? "" : " (confirmed in block " + at + ", " + (tip.height() - at + 1) + " confirmations)";
    print("tracker completed   %-8s %s irrevocably resolved at block %d%s", nameOf(uuid), penaltyName(penaltyTxid),
        tip.height(), depth);
  }

  @Override
  public synchronized void trackerExpired(UUID uuid, Txid penaltyTxid, BlockRef tip) {
    expired++;
    print("tracker expired     %-8s subscription ended at block %d, %s never confirmed", nameOf(uuid), tip.height(),
        penaltyName(penaltyTxid));
  }

  @Override
  public synchronized void breachRejected(UUID uuid, Txid penaltyTxid, BroadcastResult.Rejected rejection) {
    rejected++;
    print("breach rejected     %-8s %s: %s", nameOf(uuid), penaltyName(penaltyTxid), describe(rejection));
  }

  @Override
  public synchronized void blocksDisconnected(BlockRef forkPoint, List<BlockRef> disconnected) {
    reorgs++;
    blocksDisconnected += disconnected.size();
    confirmedAt.values().removeIf(h -> h > forkPoint.height());
    print("blocks disconnected %d (heights %d..%d), back to the fork point at %d", disconnected.size(),
        disconnected.get(disconnected.size() - 1).height(), disconnected.get(0).height(), forkPoint.height());
  }

  @Override
  public synchronized void penaltyAtRisk(UUID uuid, Txid penaltyTxid, int deadlineHeight, int blocksLeft) {
    print("penalty at risk     %-8s %s: the cheater can sweep at block %d, %d blocks left to confirm it",
        nameOf(uuid), penaltyName(penaltyTxid), deadlineHeight, blocksLeft);
  }

  @Override
  public synchronized void penaltyEscalated(UUID uuid, Txid penaltyTxid, Txid sentTxid, int rung, BroadcastResult result) {
    confirmedAt.remove(uuid);
    print("fee ladder          %-8s rung %d (%s) sent: %s", nameOf(uuid), rung, shortTxid(sentTxid), describe(result));
  }

  @Override
  public synchronized void penaltyBumped(UUID uuid, Txid penaltyTxid, Txid childTxid, FeeRate packageFeeRate, long feeSats,
      BroadcastResult result) {
    print("penalty bumped      %-8s child %s pays %d sat for a package at %s sat/vB: %s", nameOf(uuid),
        shortTxid(childTxid), feeSats, packageFeeRate.satPerVbyte().toPlainString(), describe(result));
  }

  @Override
  public synchronized void deadlinePassed(UUID uuid, Txid penaltyTxid, int deadlineHeight) {
    print("deadline passed     %-8s %s unconfirmed at block %d: still trying", nameOf(uuid), penaltyName(penaltyTxid),
        deadlineHeight);
  }

  private static String shortTxid(Txid txid) {
    return txid.toHex().substring(0, 8);
  }

  /**
   * Returns how many events of each kind were printed so far.
   *
   * @return the counts
   */
  public synchronized Tally tally() {
    return new Tally(added, confirmed, resent, retries, retriesUnreached, completed, expired, rejected, reorgs,
        blocksDisconnected);
  }

  /**
   * Describes a broadcast result in words.
   *
   * @param result what the node answered
   * @return a short description
   */
  public static String describe(BroadcastResult result) {
    if (result instanceof BroadcastResult.Accepted) {
      return "node accepted it into its mempool";
    } else if (result instanceof BroadcastResult.AlreadyConfirmed c) {
      return c.confirmations().isPresent()
          ? "already confirmed (" + c.confirmations().getAsInt() + " confirmations)"
          : "already confirmed";
    } else if (result instanceof BroadcastResult.Rejected r) {
      return "rejected for good (" + r.code() + " " + r.message() + ")";
    } else if (result instanceof BroadcastResult.RejectedForNow r) {
      return "refused for now, will retry (" + r.code() + " " + r.message() + ")";
    } else {
      return "node unavailable, will retry (" + ((BroadcastResult.NodeUnavailable) result).reason() + ")";
    }
  }

  private static String describe(TrackerStatus status) {
    if (status instanceof TrackerStatus.Pending) {
      return "pending: retried on every block";
    } else if (status instanceof TrackerStatus.InMempool) {
      return "in the mempool";
    } else {
      return "already confirmed in block " + ((TrackerStatus.Confirmed) status).block().height();
    }
  }

  private void print(String format, Object... args) {
    out.println(EVENT + String.format(format, args));
  }

  /**
   * How many events of each kind a {@link ConsoleListener} saw.
   *
   * @param added trackers added
   * @param confirmed penalty confirmations, per tracker
   * @param resent penalties the node had (or had had) and was sent again: after missed blocks, a
   *     reorganisation, or near the deadline; per tracker
   * @param retries sends of pending penalties, which the node did not hold; per tracker
   * @param retriesUnreached of those, the sends that never reached the node (it was unavailable)
   * @param completed trackers completed at the irrevocable depth
   * @param expired trackers expired with their subscription
   * @param rejected breaches rejected for good
   * @param reorgs reorganisations
   * @param blocksDisconnected blocks taken off by those reorganisations
   */
  public record Tally(
      int added, int confirmed, int resent, int retries, int retriesUnreached, int completed, int expired,
      int rejected, int reorgs, int blocksDisconnected) {}
}
