package io.responder.examples;

import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.BlockSource;
import io.responder.core.Breach;
import io.responder.core.BreachReceipt;
import io.responder.core.Carrier;
import io.responder.core.FeeBumper;
import io.responder.core.FeeEstimator;
import io.responder.core.Responder;
import io.responder.core.ResponderConfig;
import io.responder.core.ResponderListener;
import io.responder.core.TrackerPage;
import io.responder.core.TrackerStore;
import io.responder.core.TransactionTracker;
import io.responder.core.Txid;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The glue a watchtower writes around the Responder, and nothing else: start it once, hand it each
 * breach the watcher finds, hand it each block the chain loop sees, and delete appointments it
 * reports resolved. README.md shows excerpts of this class (between the {@code tag::} markers), and a
 * test checks they stay identical.
 *
 * <p>Everything the host owns is modelled by the small types below: its appointment storage
 * ({@link Appointments}), an appointment as the tower stored it ({@link StoredAppointment}) and a block
 * as its node reports it ({@link NodeBlock}).
 *
 * <p>Instances are thread-safe, as the Responder is: the watcher's thread may call
 * {@link #onRevokedCommitment} while the chain thread calls {@link #onBlockConnected}.
 */
public final class WatchtowerHost {
  private static final Logger log = LoggerFactory.getLogger(WatchtowerHost.class);

  private final Responder responder;

  /**
   * The tower's own appointment storage: host code, not library code.
   */
  @FunctionalInterface
  public interface Appointments {
    /**
     * Deletes an appointment the tower no longer has to watch.
     *
     * @param uuid the appointment
     */
    void delete(UUID uuid);
  }

  /**
   * An appointment as the tower stored it when the user registered it: hex strings, as the
   * watchtower protocol carries them.
   *
   * @param uuid the appointment's uuid
   * @param locator 32 hex characters: the first half of the dispute txid
   * @param penaltyTxid the pre-signed penalty's txid
   * @param penaltyRawTx the pre-signed penalty, serialised
   * @param userId the user's compressed public key
   * @param subscriptionEndHeight the height at which the user's subscription ends
   * @param toSelfDelay the channel's {@code to_self_delay} in blocks, or 0 when the tower does not know it
   * @param penaltyLadder the penalty pre-signed again at higher feerates (same inputs), lowest first; may be empty
   */
  public record StoredAppointment(String uuid, String locator, String penaltyTxid, String penaltyRawTx, String userId,
      int subscriptionEndHeight, int toSelfDelay, List<String> penaltyLadder) {
    /** Copies the ladder. */
    public StoredAppointment {
      penaltyLadder = List.copyOf(penaltyLadder);
    }

    /**
     * An appointment of a tower that knows neither the channel's delay nor a fee ladder.
     *
     * @param uuid the appointment's uuid
     * @param locator the locator
     * @param penaltyTxid the penalty's txid
     * @param penaltyRawTx the penalty, serialised
     * @param userId the user's key
     * @param subscriptionEndHeight the subscription's end
     */
    public StoredAppointment(
        String uuid, String locator, String penaltyTxid, String penaltyRawTx, String userId, int subscriptionEndHeight) {
      this(uuid, locator, penaltyTxid, penaltyRawTx, userId, subscriptionEndHeight, 0, List.of());
    }
  }

  /**
   * A block as the tower's chain loop gets it from its node.
   *
   * @param hash the block hash, hex
   * @param previousHash the parent's hash, hex
   * @param height the height
   * @param txids the block's txids, hex
   */
  public record NodeBlock(String hash, String previousHash, int height, List<String> txids) {}

  /**
   * Starts the Responder over the host's ports: it loads the store and catches up with the node.
   *
   * @param carrier how transactions reach the node ({@code responder-bitcoind-rpc}, or your own)
   * @param blockSource where missing blocks come from
   * @param store where trackers persist
   * @param appointments the tower's appointment storage
   */
  public WatchtowerHost(Carrier carrier, BlockSource blockSource, TrackerStore store, Appointments appointments) {
    ResponderListener listener = listener(appointments);
    // tag::start[]
    Responder responder = Responder.builder()
        .carrier(carrier)            // how transactions reach bitcoind
        .blockSource(blockSource)    // where missing blocks come from after gaps and reorgs
        .store(store)                // where trackers persist (your database, or a store module)
        .listener(listener)          // optional: added, confirmed, rebroadcast, completed, expired...
        .start();                    // loads the store and catches up with the node
    // end::start[]
    this.responder = responder;
  }

  /**
   * Starts the Responder with the fee mechanisms a host can add: estimates from its node, and a child
   * from its own wallet paying for a penalty at risk (CPFP), capped per tracker.
   *
   * @param carrier how transactions reach the node
   * @param blockSource where missing blocks come from
   * @param store where trackers persist
   * @param appointments the tower's appointment storage
   * @param estimator feerate estimates ({@code BitcoindRpc.feeEstimator()})
   * @param wallet the host's CPFP
   * @param maxFeePerTracker the most a child may pay, in satoshis
   */
  public WatchtowerHost(Carrier carrier, BlockSource blockSource, TrackerStore store, Appointments appointments,
      FeeEstimator estimator, FeeBumper wallet, long maxFeePerTracker) {
    ResponderListener listener = listener(appointments);
    // tag::fees[]
    Responder responder = Responder.builder()
        .carrier(carrier)
        .blockSource(blockSource)
        .store(store)
        .listener(listener)
        .config(ResponderConfig.defaults().withEscalationWindow(12)) // act on every block 12 blocks before a deadline
        .feeEstimator(estimator)                                      // e.g. BitcoindRpc.feeEstimator(): estimatesmartfee
        .feeBumper(wallet, maxFeePerTracker)                          // your wallet's child; never more than this per tracker
        .start();
    // end::fees[]
    this.responder = responder;
  }

  private static ResponderListener listener(Appointments appointments) {
    Objects.requireNonNull(appointments, "appointments");
    // tag::listener[]
    ResponderListener listener = new ResponderListener() {
      @Override
      public void trackerCompleted(UUID uuid, Txid penaltyTxid, BlockRef tip) {
        appointments.delete(uuid); // irrevocably resolved: nothing left to watch
      }

      @Override
      public void trackerExpired(UUID uuid, Txid penaltyTxid, BlockRef tip) {
        appointments.delete(uuid); // the subscription ended before the penalty confirmed
      }
    };
    // end::listener[]
    return listener;
  }

  /**
   * Watcher thread: a revoked commitment of a watched channel was found in a block.
   *
   * @param appointment the matching appointment
   * @param disputeTxid the revoked commitment's txid, hex
   * @param disputeRawTx the revoked commitment, serialised, hex
   * @param seenInBlock the hash of the block it was found in, hex
   * @return what the Responder did with the breach
   */
  public BreachReceipt onRevokedCommitment(
      StoredAppointment appointment, String disputeTxid, String disputeRawTx, String seenInBlock) {
    // tag::breach[]
    Breach.Builder breach = Breach.builder()
        .uuid(appointment.uuid())
        .locator(appointment.locator())
        .disputeTxid(disputeTxid)
        .penaltyTxid(appointment.penaltyTxid())
        .penaltyRawTx(appointment.penaltyRawTx())
        .userId(appointment.userId())
        .disputeRawTx(disputeRawTx)                                  // optional: re-sent, or packaged, when the node lacks it
        .subscriptionEndHeight(appointment.subscriptionEndHeight())  // optional
        .seenInBlock(seenInBlock);
    if (appointment.toSelfDelay() > 0) {
      breach.toSelfDelay(appointment.toSelfDelay());                 // optional: the deadline, from the dispute's confirmation
    }
    appointment.penaltyLadder().forEach(breach::addPenaltyVariant);  // optional: the fee ladder, lowest feerate first
    BreachReceipt receipt = responder.handleBreach(breach.build());  // validates: bad input names the field
    if (!receipt.tracked()) {
      log.atWarn().addKeyValue("uuid", appointment.uuid()).addKeyValue("answer", receipt.broadcast())
          .log("the node refused the penalty for good");
    }
    // end::breach[]
    return receipt;
  }

  /**
   * Chain thread: the node connected a block (or, after a reorganisation, a new tip: the Responder
   * fetches what it missed from the block source).
   *
   * @param block the block
   */
  public void onBlockConnected(NodeBlock block) {
    // tag::block[]
    responder.onBlock(new Block(
        BlockHash.fromHex(block.hash()),
        BlockHash.fromHex(block.previousHash()),
        block.height(),
        block.txids().stream().map(Txid::fromHex).toList()));
    // end::block[]
  }

  /**
   * Admin thread: shows every tracker, a page at a time, for an operator's console. Reads the store
   * page by page without the Responder's lock, so blocks go on while it runs.
   *
   * @param show receives each tracker once, in uuid order
   */
  public void showTrackers(Consumer<TransactionTracker> show) {
    // tag::pages[]
    UUID after = null;                                     // the first page
    do {
      TrackerPage page = responder.trackers(after, 500);   // uuid order; no lock held while it reads
      page.trackers().forEach(show);
      after = page.next().orElse(null);                    // empty after the last page
    } while (after != null);
    // end::pages[]
  }

  /**
   * Returns the Responder, for queries ({@code tracker(uuid)}, {@code countsByState()}, {@code tip()}).
   *
   * @return the running Responder
   */
  public Responder responder() {
    return responder;
  }
}
