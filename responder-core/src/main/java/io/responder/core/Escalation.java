package io.responder.core;

import static io.responder.core.TrackerBook.forEachMember;

import io.responder.core.internal.HeightIndex;
import io.responder.core.internal.PenaltyGroup;
import io.responder.core.internal.TransactionParser;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fees and deadlines: for penalties whose breach carried a deadline or a fee ladder, keeps the
 * {@link EscalationPolicy}'s schedule. Penalties without either never reach this room and cost it
 * nothing.
 *
 * <p>It knows each such penalty's terms, indexes the ladder's variants by txid (whichever rung
 * confirms, confirms the tracker), files each penalty at the height its escalation window opens, and
 * on every block acts for the penalties at risk: one send of the rung the policy names (climbing at
 * once past rungs refused for fee), one event per tracker per action, one log line with the rung.
 * The penalties a block acts on (at risk, or moved by the market) are read from the store in one
 * call, their rungs sent ahead in one carrier batch, and the host's children they hold looked up in
 * one status call: a spike costs a few node calls a block, not a round trip per penalty.
 * What it remembers beyond the store (the highest rung the node took, which events were told) is a
 * hint for this run: after a restart the schedule is derived again from the heights.
 *
 * <p>Mutable, confined to the Responder's lock.
 */
final class Escalation {
  private static final Logger log = LoggerFactory.getLogger(Responder.class);
  /** Below this many plans they are never swept: dead ones cost little there. */
  private static final int MIN_SWEEP_THRESHOLD = 1024;

  /** What the Responder keeps about one penalty with fee terms. */
  static final class Plan {
    final FeeTerms terms;
    final List<Txid> variantTxids;
    /** The highest rung the node accepted in this run: never send lower. */
    int heldRung;
    /** Whether a rung was sent within the escalation window in this run (the next block it misses climbs). */
    boolean sentInWindow;
    boolean toldAtRisk;
    boolean toldDeadlinePassed;
    /**
     * Whether the dispute's height was learnt again since the last send: the node may have dropped
     * the rung it held with the dispute (a reorganisation, an eviction), so the next look sends it.
     */
    boolean sendAgain;
    /** The package feerate of the last child the node took in this run: asking again for no more is a refused replacement. */
    FeeRate childFeeRate = FeeRate.ZERO;
    /** That child, while the Responder believes the node holds it; null without one. */
    @Nullable Txid childTxid;
    /** The rung that child spends. */
    int childRung;

    /** The dispute's txid: after a restart its height is checked against the node's chain. */
    final Txid disputeTxid;
    /**
     * Each rung's own feerate, when the Responder can know it (an estimator to compare it with, the
     * raw dispute, every input spending the dispute); else null, and the market is not followed.
     */
    FeeRate @Nullable [] rungFeeRates;
    /**
     * Whether the rungs' feerates may still be learnt: the breach came without the raw dispute, so
     * it is read from the node once the dispute is confirmed.
     */
    boolean ratesToLearn;

    Plan(FeeTerms terms, Txid disputeTxid, FeeRate @Nullable [] rungFeeRates, boolean ratesToLearn) {
      this.terms = terms;
      this.variantTxids = terms.variantTxids();
      this.disputeTxid = disputeTxid;
      this.rungFeeRates = rungFeeRates;
      this.ratesToLearn = ratesToLearn;
    }

    int rungs() {
      return variantTxids.size() + 1;
    }
  }

  /** A send of one rung and what the node said. */
  record Sent(BroadcastResult result, Txid txid, int rung) {}

  private final EscalationPolicy policy;
  private final NodeLink node;
  private final @Nullable FeeEstimator estimator;
  private final @Nullable FeeBumper bumper;
  private final long maxChildFeeSats;
  /** This block's package feerate for a given number of blocks left: one estimate per distinct answer. */
  private final Map<Integer, Optional<FeeRate>> targets = new HashMap<>();
  private final Map<PenaltyGroup, Plan> plans = new IdentityHashMap<>();
  private final Map<Txid, PenaltyGroup> variants = new HashMap<>();
  /** Height at which a penalty's escalation window opens -> groups (lazy: re-derived when popped). */
  private final HeightIndex<PenaltyGroup> opens = new HeightIndex<>();
  private final Set<PenaltyGroup> atRisk = new LinkedHashSet<>();
  /**
   * Penalties whose dispute is confirmed and whose window has not opened, that the market may still
   * call to climb: kept only with an estimator, and only for plans whose rungs' feerates are known.
   */
  private final Set<PenaltyGroup> watched = new LinkedHashSet<>();
  private int sweepThreshold = MIN_SWEEP_THRESHOLD;
  private boolean heightsUnchecked;

  Escalation(ResponderConfig config, NodeLink node, @Nullable FeeEstimator estimator, @Nullable FeeBumper bumper,
      long maxChildFeeSats) {
    this.policy = new EscalationPolicy(config.escalationWindow());
    this.node = node;
    this.estimator = estimator;
    this.bumper = bumper;
    this.maxChildFeeSats = maxChildFeeSats;
  }

  // ---------------------------------------------------------------------------------------------
  // Filing

  /**
   * Files a penalty's terms (at intake or load); penalties without terms are not kept. The raw
   * penalty and dispute give each rung's feerate, which lets the market be followed before the
   * window opens.
   */
  void register(PenaltyGroup g, FeeTerms terms, Txid disputeTxid, byte[] rawPenalty, byte @Nullable [] rawDispute,
      int tipHeight) {
    register(g, plan(terms, disputeTxid, rawPenalty, rawDispute), tipHeight);
  }

  /** Files a plan made with {@link #plan}: a group that has one already keeps it. */
  void register(PenaltyGroup g, @Nullable Plan plan, int tipHeight) {
    if (plan == null || plans.containsKey(g)) {
      return;
    }
    plans.put(g, plan);
    for (Txid v : plan.variantTxids) {
      variants.put(v, g);
    }
    opens.add(tipHeight, g);
  }

  /**
   * A penalty's plan, or null without fee terms: the variants' txids, and each rung's feerate when it
   * can be known and is of use (an estimator, and a ladder or a bumper). Parses the transactions once.
   */
  @Nullable Plan plan(FeeTerms terms, Txid disputeTxid, byte[] rawPenalty, byte @Nullable [] rawDispute) {
    if (terms.isNone()) {
      return null;
    }
    boolean useful = estimator != null && (terms.variants().length > 0 || bumper != null);
    FeeRate[] rates = useful ? rungFeeRates(disputeTxid, rawDispute, rawPenalty, terms.variants()) : null;
    return new Plan(terms, disputeTxid, rates, useful && rawDispute == null);
  }


  /**
   * The penalty's deadline may have moved (its dispute's height was learnt or lost) or it may be
   * unconfirmed again: it is looked at again on the next block.
   */
  void reconsider(PenaltyGroup g, int tipHeight) {
    Plan plan = planOf(g);
    if (plan != null) {
      plan.sendAgain = true;
      plan.childFeeRate = FeeRate.ZERO; // the node may have dropped the child with the dispute
      plan.childTxid = null;
      opens.add(tipHeight, g); // this block, when the block step files it before acting: no block lost
    }
  }

  /**
   * After a load: a deadline counted from the dispute's height must use the height the node's chain
   * has now. The store keeps the height first seen, and a reorganisation before a restart may have
   * moved the dispute (or the height may have been learnt only in memory). For each unconfirmed
   * penalty with a {@code to_self_delay}, the node's block at the stored height is read (once per
   * height); when it does not hold the dispute, the reorg window is searched, and a dispute found
   * nowhere is unconfirmed (no deadline runs). Once per start, one block read per distinct height.
   */
  void checkDisputeHeights(TrackerBook book, BlockRef tip, int reorgWindow) {
    heightsUnchecked = true;
    Map<Integer, Set<Txid>> blocks = new HashMap<>();
    int lowest = Math.max(1, tip.height() - reorgWindow);
    try {
      for (Map.Entry<PenaltyGroup, Plan> e : plans.entrySet()) {
        PenaltyGroup g = e.getKey();
        Plan plan = e.getValue();
        if (!g.isLive() || plan.terms.toSelfDelay() < 0) {
          continue; // no deadline counted from the dispute
        }
        // A confirmed penalty is checked too: a reorganisation can send it back, and its deadline
        // must then count from where the dispute is now (found by the fee simulation, seed 13112).
        int stored = g.disputeHeight();
        if (stored >= 0 && txidsAt(blocks, stored).contains(plan.disputeTxid)) {
          continue;
        }
        int found = -1;
        for (int h = tip.height(); h >= lowest && found < 0; h--) {
          if (txidsAt(blocks, h).contains(plan.disputeTxid)) {
            found = h;
          }
        }
        if (found != stored) {
          log.atInfo().addKeyValue("penaltyTxid", g.txid()).addKeyValue("storedDisputeHeight", stored)
              .addKeyValue("disputeHeight", found).log("dispute height checked against the node's chain at start");
          book.relearnDisputeHeight(g, plan.disputeTxid, found);
        }
      }
      heightsUnchecked = false;
    } catch (RuntimeException e) {
      // The node cannot answer now: the check runs again at the next block.
      log.atWarn().addKeyValue("reason", e.toString()).log("could not check dispute heights against the node at start; again at the next block");
    }
  }

  /** Whether the check after the last load has not run to its end yet (the node could not answer). */
  boolean heightsUnchecked() {
    return heightsUnchecked;
  }

  private Set<Txid> txidsAt(Map<Integer, Set<Txid>> blocks, int height) {
    Set<Txid> txids = blocks.get(height);
    if (txids == null) {
      Optional<BlockHash> hash = node.blockSource().blockHashAt(height);
      txids = hash.isEmpty() ? Set.of() : new java.util.HashSet<>(node.fetchBlock(hash.get(), height).txids());
      blocks.put(height, txids);
    }
    return txids;
  }

  boolean hasLadders() {
    return !variants.isEmpty();
  }

  /**
   * The group's plan, or null. A tower without fee terms has no plans: then no identity hash is
   * asked of a group (the first ask writes it into the object's header), which a storm would pay
   * for every penalty.
   */
  private @Nullable Plan planOf(PenaltyGroup g) {
    return plans.isEmpty() ? null : plans.get(g);
  }

  boolean hasLadder(PenaltyGroup g) {
    Plan p = planOf(g);
    return p != null && p.rungs() > 1;
  }

  /** The group a ladder variant belongs to, or null. */
  @Nullable PenaltyGroup groupOfVariant(Txid txid) {
    PenaltyGroup g = variants.get(txid);
    return g != null && g.isLive() ? g : null;
  }

  void clear() {
    heightsUnchecked = false;
    sweepThreshold = MIN_SWEEP_THRESHOLD;
    plans.clear();
    variants.clear();
    opens.clear();
    atRisk.clear();
    watched.clear();
  }

  /**
   * After a connected block: plans of groups that ended are let go when the map has doubled since the
   * last sweep, which costs amortised O(1) per plan ever filed rather than a walk per block.
   */
  void afterBlock() {
    if (plans.size() > sweepThreshold) {
      plans.keySet().removeIf(g -> !g.isLive());
      variants.values().removeIf(g -> !g.isLive());
      sweepThreshold = 2 * plans.size() + MIN_SWEEP_THRESHOLD;
    }
    atRisk.removeIf(g -> !g.isLive());
    watched.removeIf(g -> !g.isLive() || g.state() == TrackerState.CONFIRMED);
  }

  // ---------------------------------------------------------------------------------------------
  // The block's escalation step

  /**
   * Acts for every unconfirmed penalty at risk at {@code tip}: sends the rung the policy names.
   * Returns the groups it sent for, so the block's later steps do not send them again.
   */
  List<PenaltyGroup> act(BlockRef tip, ChangeSet ch, SendOutcome outcome) {
    int height = tip.height();
    for (PenaltyGroup g : opens.removeUpTo(height)) {
      Plan plan = planOf(g);
      if (plan == null || !g.isLive() || !plan.terms.hasDeadline()) {
        continue;
      }
      int deadline = plan.terms.deadlineGiven(g.disputeHeight());
      if (deadline < 0) {
        continue; // the dispute is not confirmed: the cheater's clock has not started
      }
      if (plan.ratesToLearn) {
        learnRates(g, plan);
      }
      EscalationPolicy policy = policyOf(plan);
      if (policy.startHeight(deadline) > height) {
        // Rates the node could not tell yet are asked for again on the next block, not when the
        // window opens: until then the market is not followed (found by the fee simulation, seed 4501).
        opens.add(plan.ratesToLearn ? height + 1 : policy.startHeight(deadline), g);
        watch(g, plan);
      } else {
        atRisk.add(g);
      }
    }
    List<PenaltyGroup> acted = new ArrayList<>();
    targets.clear();
    // The penalties inside their window, each with the rung it starts from; then their members read
    // in one store call and those rungs sent ahead in one carrier batch, so that each penalty's own
    // sends below read the answers as receipts: a spike that puts thousands of penalties at risk
    // costs a few calls a block, not a round trip each.
    List<Move> risky = new ArrayList<>();
    for (PenaltyGroup g : new ArrayList<>(atRisk)) {
      Plan plan = planOf(g);
      if (plan == null || !g.isLive() || g.state() == TrackerState.CONFIRMED) {
        atRisk.remove(g);
        continue;
      }
      int deadline = plan.terms.deadlineGiven(g.disputeHeight());
      if (deadline < 0) {
        atRisk.remove(g); // its dispute was disconnected: filed again when it confirms
        continue;
      }
      int left = EscalationPolicy.blocksLeft(deadline, height);
      EscalationPolicy policy = policyOf(plan);
      if (!policy.atRisk(left)) {
        atRisk.remove(g); // the deadline moved away (a reorg re-confirmed the dispute higher)
        opens.add(policy.startHeight(deadline), g);
        watch(g, plan);
        continue;
      }
      // A rung already in the node's hands that missed the block just connected is not enough: one
      // higher, or the rung the blocks left call for, whichever is higher.
      int from = Math.max(Math.max(policy.rungFor(left, plan.rungs()), marketRung(plan, left)),
          plan.heldRung + (plan.sentInWindow ? 1 : 0));
      risky.add(new Move(g, plan, deadline, left, from, bumper != null));
    }
    List<@Nullable TransactionTracker> members = membersOf(risky);
    sendAhead(risky, members);
    List<@Nullable TxStatus> children = childrenInHand(risky, members);
    for (int i = 0; i < risky.size(); i++) {
      Move r = risky.get(i);
      PenaltyGroup g = r.group();
      Plan plan = r.plan();
      int left = r.left();
      tell(g, plan, r.deadline(), left, ch);
      TransactionTracker member = members.get(i);
      if (member == null) {
        continue;
      }
      plan.sentInWindow = true;
      Sent sent = send(g, member, r.fromRung(), ch);
      if (r.lift() && (sent.result() instanceof BroadcastResult.Accepted || refusedForFee(sent.result()))) {
        // The answer about the child asked ahead holds while the rung sent is the child's parent; a
        // climb past it may have put the child out with its parent, so it is asked about again.
        TxStatus child = sent.rung() == startRung(plan, r.fromRung()) ? children.get(i) : null;
        sent = bump(g, member, sent, left, child, ch);
      }
      outcome.handle(g, sent, height, ch);
      acted.add(g);
    }
    followTheMarket(height, ch, outcome, acted);
    return acted;
  }

  /**
   * The first send of a new penalty: which rung went, what the node said (from the package, when a
   * child carried the rung), the rungs refused for fee on the way, the host's child sent with it (or
   * null), and the penalty's plan (null without fee terms), to be filed once the group exists.
   */
  record FirstSend(BroadcastResult result, Txid txid, int rung, List<Sent> refused, @Nullable Child child,
      @Nullable Plan plan) {}

  /**
   * Sends a newly handed-over penalty: the rung the schedule or the market names now (rung 0 for a
   * penalty without fee terms, or whose dispute is not confirmed), climbing at once past rungs the
   * node refuses for fee. A hand-over is a moment to act like a block: waiting for the next block to
   * climb would give a spike that started already a block's head start.
   *
   * @param rawDispute the raw dispute sent with the penalty to a node that lacks it (or that refuses
   *     the penalty for fee while the dispute is unconfirmed): the breach's own, else one another
   *     breach of the same penalty brought, else null
   */
  FirstSend sendFirst(Breach breach, byte @Nullable [] rawDispute, int disputeHeight, int tipHeight, BlockLines lines) {
    FeeTerms terms = breach.feeTerms();
    Plan plan = plan(terms, breach.disputeTxid(), breach.penaltyRawTxUnsafe(), breach.disputeRawTxUnsafe());
    if (plan != null && plan.ratesToLearn && disputeHeight >= 0) {
      // Without the raw dispute, the rungs' feerates come from the node's copy, read now: the first
      // send follows the market too (found by the fee simulation, seed 42013).
      learnRates(plan, breach.seenInBlock(), () -> Optional.of(breach.penaltyRawTxUnsafe()));
    }
    int rungs = plan == null ? 1 : plan.rungs();
    int rung = 0;
    int deadline = terms.deadlineGiven(disputeHeight);
    int left = EscalationPolicy.blocksLeft(deadline, tipHeight);
    targets.clear(); // a hand-over is not inside a block step: ask afresh
    if (rungs > 1 && deadline >= 0) {
      rung = Math.max(policyOf(plan).rungFor(left, rungs), marketRung(plan, left));
    }
    List<Sent> refused = new ArrayList<>();
    while (true) {
      Txid txid = rung == 0 ? breach.penaltyTxid() : plan.variantTxids.get(rung - 1);
      byte[] raw = rung == 0 ? breach.penaltyRawTxUnsafe() : terms.variants()[rung - 1];
      BroadcastResult r = node.sendPenalty(txid, raw, breach.disputeTxid(), rawDispute, disputeHeight,
          breach.seenInBlock(), lines);
      if (!refusedForFee(r) || rung >= rungs - 1) {
        Child child = null;
        // The top rung below what the market asks, or the deadline near: the host's child at once,
        // as a block would ask for it (a spike that starts in the next block leaves no other chance:
        // found by the fee simulation, seed 852).
        if (plan != null && bumper != null && deadline >= 0 && rung == rungs - 1
            && (r instanceof BroadcastResult.Accepted || refusedForFee(r))
            && (policyOf(plan).atRisk(left) || refusedForFee(r) || belowMarket(plan, rung, left))) {
          Bumped bumped = bump(plan, breach.penaltyTxid(), new Sent(r, txid, rung), raw, left, null, lines);
          r = bumped.sent().result();
          child = bumped.child();
        }
        if (plan != null && r.delivered()) {
          plan.heldRung = rung;
        }
        return new FirstSend(r, txid, rung, refused, child, plan);
      }
      refused.add(new Sent(r, txid, rung));
      rung++;
    }
  }

  /** After a hand-over: the rung the first send put in the node's hands. */
  void holds(PenaltyGroup g, int rung) {
    Plan plan = planOf(g);
    if (plan != null) {
      plan.heldRung = Math.max(plan.heldRung, rung);
    }
  }

  /**
   * Reads the confirmed dispute from the node to learn what each rung pays, for a breach handed over
   * without it. Once per plan: a node that cannot answer now is asked again on the next block; one
   * that does not serve transactions, or bytes that are not the dispute, end it.
   */
  private void learnRates(PenaltyGroup g, Plan plan) {
    Optional<BlockHash> block = node.disputeBlock(g);
    try {
      if (block.isEmpty() && g.disputeHeight() >= 0) {
        // Below the blocks this run has seen (after a restart the window holds only the tip): the
        // node's chain names it. A block of another branch answers no dispute, which ends the try.
        block = node.blockSource().blockHashAt(g.disputeHeight());
      }
    } catch (RuntimeException e) {
      log.atDebug().addKeyValue("disputeTxid", plan.disputeTxid).addKeyValue("reason", e.toString())
          .log("could not find the dispute's block; again later");
      return;
    }
    if (block.isPresent()) {
      learnRates(plan, block.get(), () -> node.anyMember(g).map(TransactionTracker::penaltyRawTxUnsafe));
    }
  }

  /** Reads the dispute from {@code block} and computes the rungs' feerates with the penalty {@code rawPenalty} gives. */
  private void learnRates(Plan plan, BlockHash block, Supplier<Optional<byte[]>> rawPenalty) {
    Optional<byte[]> raw;
    try {
      raw = node.blockSource().transaction(plan.disputeTxid, block);
    } catch (RuntimeException e) {
      log.atDebug().addKeyValue("disputeTxid", plan.disputeTxid).addKeyValue("reason", e.toString())
          .log("could not read the dispute from the node; again later");
      return;
    }
    plan.ratesToLearn = false;
    Optional<byte[]> penalty = raw.isPresent() ? rawPenalty.get() : Optional.empty();
    if (penalty.isEmpty()) {
      return;
    }
    try {
      if (!TransactionParser.txid("dispute", raw.get()).equals(plan.disputeTxid)) {
        log.atWarn().addKeyValue("disputeTxid", plan.disputeTxid).log("the node answered another transaction for the dispute; ignored");
        return;
      }
      plan.rungFeeRates = rungFeeRates(plan.disputeTxid, raw.get(), penalty.get(), plan.terms.variants());
    } catch (InvalidInputException e) {
      log.atWarn().addKeyValue("disputeTxid", plan.disputeTxid).addKeyValue("reason", e.getMessage())
          .log("the node's dispute does not parse; ignored");
    }
  }

  private void watch(PenaltyGroup g, Plan plan) {
    if (plan.rungFeeRates != null) {
      watched.add(g);
    }
  }

  /**
   * Before the window opens: a penalty whose dispute is confirmed is sent at the lowest rung that
   * meets the estimator's feerate for its blocks left as soon as the rung the node holds falls below
   * it (and with a child, when the top rung does). A spike that starts long before the deadline and
   * only grows would otherwise outrun a ladder climbed one rung per rebroadcast (found by the fee
   * simulation: nearly every penalty it could have saved that escalation did not save).
   */
  private void followTheMarket(int height, ChangeSet ch, SendOutcome outcome, List<PenaltyGroup> acted) {
    if (watched.isEmpty()) {
      return;
    }
    // First each watched penalty's place against the market, and the host's children whose presence
    // decides whether to ask for another: those asked about together, in one status call, rather
    // than a round trip each (a spike puts many penalties at their top rung at once).
    List<Standing> standings = new ArrayList<>();
    List<StatusQuery> childQueries = new ArrayList<>();
    for (PenaltyGroup g : new ArrayList<>(watched)) {
      Plan plan = planOf(g);
      if (plan == null || !g.isLive() || g.state() == TrackerState.CONFIRMED || atRisk.contains(g)) {
        watched.remove(g);
        continue;
      }
      int deadline = plan.terms.deadlineGiven(g.disputeHeight());
      if (deadline < 0) {
        watched.remove(g); // unconfirmed again: watched again once its dispute is
        continue;
      }
      int left = EscalationPolicy.blocksLeft(deadline, height);
      int rung = marketRung(plan, left);
      // The top rung below the market: a child can still lift it, if the host bumps and the child in
      // the node's hands pays less than the market asks.
      // (A child the node took earlier counts only while the penalty is in its mempool: one dropped
      // with its dispute by a reorganisation, or evicted, is asked for again even at a lower target.)
      boolean lift = rung == plan.rungs() - 1 && bumper != null && belowMarket(plan, rung, left);
      int childQuery = -1;
      if (lift && g.state() == TrackerState.IN_MEMPOOL
          && targetFor(left).orElseThrow().compareTo(plan.childFeeRate) <= 0 && plan.childTxid != null) {
        childQuery = childQueries.size(); // lifted only if the child is gone: asked below
        childQueries.add(new StatusQuery(plan.childTxid, Optional.empty()));
      }
      standings.add(new Standing(g, plan, deadline, left, rung, lift, childQuery));
    }
    List<TxStatus> childAnswers = node.statusAll(childQueries);
    // Then the penalties that move: their members read in one store call and their rungs sent ahead
    // in one carrier batch, as for penalties at risk (a rising market moves many at once).
    List<Move> moves = new ArrayList<>();
    for (Standing st : standings) {
      Plan plan = st.plan();
      boolean lift = st.childQuery() < 0 ? st.lift() : !childStillHeld(plan, childAnswers.get(st.childQuery()));
      if (st.rung() <= plan.heldRung && !lift && !plan.sendAgain) {
        continue;
      }
      plan.sendAgain = false;
      moves.add(new Move(st.group(), plan, st.deadline(), st.left(), st.rung(), lift));
    }
    List<@Nullable TransactionTracker> members = membersOf(moves);
    sendAhead(moves, members);
    for (int i = 0; i < moves.size(); i++) {
      Move m = moves.get(i);
      TransactionTracker member = members.get(i);
      if (member == null) {
        continue;
      }
      PenaltyGroup g = m.group();
      tell(g, m.plan(), m.deadline(), m.left(), ch);
      Sent sent = send(g, member, m.fromRung(), ch);
      if (m.lift() && (sent.result() instanceof BroadcastResult.Accepted || refusedForFee(sent.result()))) {
        sent = bump(g, member, sent, m.left(), null, ch);
      }
      outcome.handle(g, sent, height, ch);
      acted.add(g);
    }
  }

  /** One member of each penalty, read in one store call (null for a penalty with none left). */
  private List<@Nullable TransactionTracker> membersOf(List<Move> moves) {
    List<@Nullable TransactionTracker> members = new ArrayList<>(moves.size());
    if (!moves.isEmpty()) {
      node.anyMembers(moves.stream().map(Move::group).toList(), members);
    }
    return members;
  }

  /**
   * Sends the rung each moving penalty starts from (as {@link #send} will pick it) in one carrier
   * batch; the answers become this interval's receipts, which {@code send} then reads.
   */
  private void sendAhead(List<Move> moves, List<@Nullable TransactionTracker> members) {
    List<RawTransaction> batch = new ArrayList<>(moves.size());
    for (int i = 0; i < moves.size(); i++) {
      TransactionTracker member = members.get(i);
      if (member == null) {
        continue;
      }
      batch.add(rungFrom(moves.get(i).group(), member, moves.get(i).fromRung()));
    }
    node.sendAll(batch);
  }

  /** Every rung of {@code g}'s ladder, lowest first, for a batch sent ahead. */
  List<RawTransaction> everyRung(PenaltyGroup g, TransactionTracker member) {
    Plan plan = planOf(g);
    int rungs = plan == null ? 1 : plan.rungs();
    List<RawTransaction> out = new ArrayList<>(rungs);
    for (int rung = 0; rung < rungs; rung++) {
      out.add(rung(g, plan, member, rung));
    }
    return out;
  }

  /** The rung {@link #send} sends first when asked to start from {@code from}, for a batch sent ahead. */
  RawTransaction rungFrom(PenaltyGroup g, TransactionTracker member, int from) {
    Plan plan = planOf(g);
    return rung(g, plan, member, startRung(plan, from));
  }

  private static RawTransaction rung(PenaltyGroup g, @Nullable Plan plan, TransactionTracker member, int rung) {
    return RawTransaction.trusted(rung == 0 ? g.txid() : plan.variantTxids.get(rung - 1), rawOf(member, rung));
  }

  /** The raw transaction of rung {@code rung} of {@code member}'s ladder (0: the penalty itself). */
  private static byte[] rawOf(TransactionTracker member, int rung) {
    return rung == 0 ? member.penaltyRawTxUnsafe() : member.feeTerms().variants()[rung - 1];
  }

  /**
   * The node's answers about the host's children in hand that already pay the target for their
   * penalty's blocks left (the only children {@link #bump} asks about), in one status call; one
   * element per penalty at risk, null where none is asked. Only children of the rung each penalty
   * starts from are asked about: sending that rung again leaves its child where it was, while a
   * higher rung would replace the child's parent (and the rungs may not have gone ahead: a batch of
   * one is sent in its turn). A spike keeps many penalties at their top rung with a child in hand,
   * block after block.
   */
  private List<@Nullable TxStatus> childrenInHand(List<Move> risky, List<@Nullable TransactionTracker> members) {
    List<@Nullable TxStatus> answers = new ArrayList<>(Collections.nCopies(risky.size(), (TxStatus) null));
    if (bumper == null) {
      return answers;
    }
    List<StatusQuery> queries = new ArrayList<>();
    List<Integer> asking = new ArrayList<>();
    for (int i = 0; i < risky.size(); i++) {
      Plan plan = risky.get(i).plan();
      if (members.get(i) == null || plan.childTxid == null || plan.childRung != startRung(plan, risky.get(i).fromRung())) {
        continue;
      }
      Optional<FeeRate> target = targetFor(risky.get(i).left());
      if (target.isPresent() && target.get().compareTo(plan.childFeeRate) <= 0) {
        asking.add(i);
        queries.add(new StatusQuery(plan.childTxid, Optional.empty()));
      }
    }
    List<TxStatus> got = node.statusAll(queries);
    for (int j = 0; j < asking.size(); j++) {
      answers.set(asking.get(j), got.get(j));
    }
    return answers;
  }

  /**
   * A penalty sent in this block's escalation step: its plan, deadline, blocks left, the rung its
   * send starts from, and whether the host's child is asked for when that send is taken or refused
   * for fee.
   */
  private record Move(PenaltyGroup group, Plan plan, int deadline, int left, int fromRung, boolean lift) {}

  /** A watched penalty's place against this block's market, before the children are asked about. */
  private record Standing(PenaltyGroup group, Plan plan, int deadline, int left, int rung, boolean lift,
      int childQuery) {}

  /**
   * The lowest rung whose own feerate meets the estimate for {@code left} blocks (the top rung when
   * none does), or 0 without an estimate or known feerates.
   */
  private int marketRung(Plan plan, int left) {
    return marketRung(plan.rungFeeRates, left);
  }

  private int marketRung(FeeRate @Nullable [] rates, int left) {
    if (rates == null) {
      return 0;
    }
    Optional<FeeRate> market = targetFor(left);
    if (market.isEmpty()) {
      return 0;
    }
    for (int r = 0; r < rates.length; r++) {
      if (rates[r].compareTo(market.get()) >= 0) {
        return r;
      }
    }
    return rates.length - 1;
  }

  private boolean belowMarket(Plan plan, int rung, int left) {
    Optional<FeeRate> market = targetFor(left);
    return plan.rungFeeRates != null && market.isPresent() && plan.rungFeeRates[rung].compareTo(market.get()) < 0;
  }

  /** This block's estimate for {@code left} blocks left, asked once per block per target bucket. */
  private Optional<FeeRate> targetFor(int left) {
    return targets.computeIfAbsent(target(left), this::packageTarget);
  }

  /**
   * The confirmation target to ask for with {@code left} blocks left: the longest of a few steps not
   * above it, so a block asks the estimator a handful of times however many deadlines it holds.
   */
  static int target(int left) {
    int target = 1;
    for (int step : TARGET_STEPS) {
      if (step <= left) {
        target = step;
      }
    }
    return target;
  }

  private static final int[] TARGET_STEPS = {1, 2, 3, 4, 6, 8, 12, 16, 24, 36, 48, 72, 144, 288, 504, 1008};

  /**
   * Each rung's feerate (fee over vsize), or null when it cannot be known here: no raw dispute, or an
   * input spending something other than the dispute (its value is unknown).
   */
  static FeeRate @Nullable [] rungFeeRates(Txid disputeTxid, byte @Nullable [] rawDispute, byte[] rawPenalty,
      byte[][] variants) {
    if (rawDispute == null) {
      return null;
    }
    List<Long> values = TransactionParser.parse("disputeRawTx", rawDispute).outputValues();
    FeeRate[] rates = new FeeRate[variants.length + 1];
    for (int r = 0; r < rates.length; r++) {
      TransactionParser.Parsed p = TransactionParser.parse("penaltyVariant", r == 0 ? rawPenalty : variants[r - 1]);
      long in = 0;
      for (TransactionParser.Outpoint o : p.inputs()) {
        if (!o.txid().equals(disputeTxid) || o.vout() >= values.size()) {
          return null;
        }
        in += values.get((int) o.vout());
      }
      long out = 0;
      for (long v : p.outputValues()) {
        out += v;
      }
      if (in < out || in - out > FeeRate.MAX_SAT_PER_KVB) {
        return null; // not a spend of the dispute a node would take: no feerate to reason with
      }
      rates[r] = FeeRate.ofFee(in - out, p.vsize());
    }
    return rates;
  }

  private void tell(PenaltyGroup g, Plan plan, int deadline, int left, ChangeSet ch) {
    Txid txid = g.txid();
    if (!plan.toldAtRisk) {
      plan.toldAtRisk = true;
      forEachMember(g, u -> ch.event(l -> l.penaltyAtRisk(u, txid, deadline, left)));
      ch.lines().line(log, BlockLines.Kind.AT_RISK).addKeyValue("penaltyTxid", txid).addKeyValue("deadlineHeight", deadline)
          .addKeyValue("blocksLeft", left).addKeyValue("rungs", plan.rungs()).log("penalty at risk: acting on every block until it confirms");
    }
    if (left < 0 && !plan.toldDeadlinePassed) {
      plan.toldDeadlinePassed = true;
      forEachMember(g, u -> ch.event(l -> l.deadlinePassed(u, txid, deadline)));
      ch.lines().line(log, BlockLines.Kind.DEADLINE_PASSED).addKeyValue("penaltyTxid", txid).addKeyValue("deadlineHeight", deadline)
          .log("deadline passed with the penalty unconfirmed: the cheater can sweep; still trying");
    }
  }

  /** A child the host's bumper gave for a rung, sent with it as a package, and the node's answer for the child. */
  record Child(Txid txid, FeeRate packageFeeRate, long feeSats, BroadcastResult result) {}

  /** What a bump did: the rung's answer (from the package when it put the rung in the node's hands), and the child sent, if any. */
  private record Bumped(Sent sent, @Nullable Child child) {}

  /**
   * Asks the host's bumper for a child paying the package up to the estimate for the blocks left,
   * and sends {@code [rung, child]}. Returns the rung's answer from the package, or {@code sent} when
   * no child was sent. {@code childInHand} is the node's answer about the child in hand when it was
   * asked ahead, or null to ask now if needed.
   */
  private Sent bump(PenaltyGroup g, TransactionTracker member, Sent sent, int left, @Nullable TxStatus childInHand,
      ChangeSet ch) {
    Bumped bumped = bump(planOf(g), g.txid(), sent, rawOf(member, sent.rung()), left, childInHand, ch.lines());
    Child child = bumped.child();
    if (child != null) {
      Txid txid = g.txid();
      forEachMember(g, u -> ch.event(l -> l.penaltyBumped(u, txid, child.txid(), child.packageFeeRate(), child.feeSats(),
          child.result())));
    }
    return bumped.sent();
  }

  private Bumped bump(@Nullable Plan plan, Txid penaltyTxid, Sent sent, byte[] raw, int left,
      @Nullable TxStatus childInHand, BlockLines lines) {
    Optional<FeeRate> target = targetFor(left);
    if (target.isEmpty() || plan != null && target.get().compareTo(plan.childFeeRate) <= 0
        && sent.result() instanceof BroadcastResult.Accepted
        && (childInHand != null && plan.childTxid != null ? childStillHeld(plan, childInHand) : childStillHeld(plan))) {
      return new Bumped(sent, null); // no target, or no higher than the child already in: the node would refuse the replacement
    }
    RawTransaction parent = RawTransaction.trusted(sent.txid(), raw);
    Optional<FeeBumper.Bump> bump;
    try {
      bump = Objects.requireNonNull(bumper.childFor(parent, target.get(), maxChildFeeSats), "bumper returned null");
    } catch (RuntimeException e) {
      lines.line(log, BlockLines.Kind.CHILD_NOT_SENT).addKeyValue("penaltyTxid", penaltyTxid).addKeyValue("reason", e.toString())
          .log("fee bumper failed; no child");
      return new Bumped(sent, null);
    }
    if (bump.isEmpty()) {
      return new Bumped(sent, null);
    }
    FeeBumper.Bump b = bump.get();
    if (b.feeSats() > maxChildFeeSats) {
      lines.line(log, BlockLines.Kind.CHILD_NOT_SENT).addKeyValue("penaltyTxid", penaltyTxid).addKeyValue("feeSats", b.feeSats())
          .addKeyValue("cap", maxChildFeeSats).log("fee bumper offered a child above the cap: not sent");
      return new Bumped(sent, null);
    }
    TransactionPackage pkg;
    try {
      pkg = TransactionPackage.of(parent, b.child());
    } catch (InvalidInputException e) {
      lines.line(log, BlockLines.Kind.CHILD_NOT_SENT).addKeyValue("penaltyTxid", penaltyTxid).addKeyValue("childTxid", b.child().txid())
          .addKeyValue("reason", e.getMessage()).log("fee bumper offered a child that does not spend the penalty: not sent");
      return new Bumped(sent, null);
    }
    PackageResult answer = node.sendPackage(pkg);
    if (answer == null) {
      return new Bumped(sent, null);
    }
    BroadcastResult childResult = answer.results().get(1);
    if (plan != null && childResult.delivered()) {
      plan.childFeeRate = target.get();
      plan.childTxid = b.child().txid();
      plan.childRung = sent.rung();
    }
    Child child = new Child(b.child().txid(), target.get(), b.feeSats(), childResult);
    lines.line(log, BlockLines.Kind.CHILD_SENT).addKeyValue("penaltyTxid", penaltyTxid).addKeyValue("childTxid", child.txid())
        .addKeyValue("packageFeeRate", target.get()).addKeyValue("feeSats", b.feeSats()).addKeyValue("result", childResult)
        .log("penalty bumped by the host's child (CPFP)");
    // The package's answer for the rung counts only when it put the rung in the node's hands: a refusal
    // inside a package (a child's -25 while its parent is missing, say) is read as the rung's own
    // answer was, where "inputs missing" is final only with the dispute confirmed.
    BroadcastResult rung = answer.results().get(0);
    return new Bumped(rung.delivered() ? new Sent(rung, sent.txid(), sent.rung()) : sent, child);
  }

  /**
   * Whether the child the node took is still in its mempool or a block. It can go without the
   * Responder hearing of it: evicted with its parent when the mempool's minimum rose above what the
   * pair pays (a capped child buys less than the target asked), or dropped by a reorganisation.
   * Asked only when a child in hand is the reason not to ask for one (found by the fee simulation,
   * seeds 43740 and 50939); a child found gone is forgotten, so a new one is asked for.
   */
  private boolean childStillHeld(Plan plan) {
    if (plan.childTxid == null) {
      return false;
    }
    return childStillHeld(plan, node.status(plan.childTxid, Optional.empty()));
  }

  /** {@link #childStillHeld(Plan)} with the node's answer about the child at hand. */
  private boolean childStillHeld(Plan plan, TxStatus status) {
    // Its parent is unconfirmed, so it cannot be in a block: not in the mempool is gone (bitcoind
    // without -txindex answers that as "unknown"). A node that could not answer costs at most one
    // child asked for again.
    if (status instanceof TxStatus.InMempool || status instanceof TxStatus.Confirmed) {
      return true;
    }
    log.atInfo().addKeyValue("childTxid", plan.childTxid).log("the host's child is no longer in the node's mempool: a new one is asked for");
    plan.childFeeRate = FeeRate.ZERO;
    plan.childTxid = null;
    return false;
  }

  /** The node's estimate for {@code blocks}, never below its minimum; its minimum when it has none. */
  private Optional<FeeRate> packageTarget(int blocks) {
    if (estimator == null) {
      return Optional.empty();
    }
    try {
      FeeRate minimum = estimator.minimum();
      return Optional.of(estimator.estimate(blocks).map(e -> e.feeRate().max(minimum)).orElse(minimum));
    } catch (RuntimeException e) {
      log.atWarn().addKeyValue("reason", e.toString()).log("fee estimator failed; no child this block");
      return Optional.empty();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Sending a ladder

  /** The schedule for one penalty: its window is the configured one or half its delay, whichever is longer. */
  private EscalationPolicy policyOf(Plan plan) {
    return policy.forDelay(plan.terms.toSelfDelay());
  }

  /** The lowest rung to send for {@code g} now, outside the block's escalation step. */
  int floor(PenaltyGroup g, int height) {
    Plan plan = planOf(g);
    if (plan == null) {
      return 0;
    }
    int deadline = plan.terms.deadlineGiven(g.disputeHeight());
    int left = EscalationPolicy.blocksLeft(deadline, height);
    int derived = deadline < 0 ? 0 : Math.max(policyOf(plan).rungFor(left, plan.rungs()), marketRung(plan, left));
    return Math.max(derived, plan.heldRung);
  }

  /**
   * Sends rung {@code from} or, when the node refuses it for fee (or for a replacement too small),
   * the next ones at once, until one is taken or the ladder ends. Rung 0 goes through the ordinary
   * penalty send ("inputs missing" handled there).
   */
  Sent send(PenaltyGroup g, TransactionTracker member, int from, ChangeSet ch) {
    Plan plan = planOf(g);
    int rungs = plan == null ? 1 : plan.rungs();
    int rung = startRung(plan, from);
    byte[] rawDispute = node.rawDisputeOf(g, member);
    while (true) {
      Sent sent;
      if (rung == 0) {
        Txid txid = g.txid();
        BroadcastResult r = node.sendPenalty(txid, member.penaltyRawTxUnsafe(), member.disputeTxid(), rawDispute,
            g.disputeHeight(), null, ch.lines());
        sent = new Sent(ownRungSpent(g, plan, txid, r), txid, 0);
      } else {
        Txid txid = plan.variantTxids.get(rung - 1);
        BroadcastResult r = ownRungSpent(g, plan, txid, node.sendPenalty(txid, rawOf(member, rung), member.disputeTxid(),
            rawDispute, g.disputeHeight(), null, ch.lines()));
        sent = new Sent(r, txid, rung);
        int shown = rung;
        forEachMember(g, u -> ch.event(l -> l.penaltyEscalated(u, g.txid(), txid, shown, r)));
        ch.lines().line(log, BlockLines.Kind.ESCALATED).addKeyValue("penaltyTxid", g.txid()).addKeyValue("variantTxid", txid)
            .addKeyValue("rung", rung).addKeyValue("of", rungs - 1).addKeyValue("result", r).log("fee ladder: variant sent");
      }
      if (sent.result().delivered() && plan != null) {
        plan.heldRung = Math.max(plan.heldRung, rung);
      }
      if (!refusedForFee(sent.result()) || rung >= rungs - 1) {
        return sent;
      }
      rung++;
    }
  }

  /** The rung a send asked to start from {@code from} starts from: never below the rung held, nor above the top. */
  private static int startRung(@Nullable Plan plan, int from) {
    return plan == null ? 0 : Math.min(Math.max(from, plan.heldRung), plan.rungs() - 1);
  }

  /**
   * A rung refused because its inputs are spent, with the dispute confirmed (the node's final word
   * for a plain penalty), may have been spent by another rung of the same ladder: one the node has
   * mined in a block the Responder has not been given yet (it is catching up), or holds in its
   * mempool. That is no rejection: the rung is kept for now, and the block that holds the other
   * rung confirms the tracker. Asked only on such a refusal, the other rungs in one status call.
   */
  private BroadcastResult ownRungSpent(PenaltyGroup g, @Nullable Plan plan, Txid sentTxid, BroadcastResult result) {
    if (plan == null || plan.rungs() < 2 || !(result instanceof BroadcastResult.Rejected refusal)
        || refusal.code() != BroadcastResult.Rejected.INPUTS_MISSING_OR_SPENT) {
      return result;
    }
    List<Txid> others = new ArrayList<>(plan.rungs() - 1);
    for (int r = 0; r < plan.rungs(); r++) {
      Txid other = r == 0 ? g.txid() : plan.variantTxids.get(r - 1);
      if (!other.equals(sentTxid)) {
        others.add(other);
      }
    }
    List<TxStatus> answers = node.statusAll(others.stream().map(t -> new StatusQuery(t, Optional.empty())).toList());
    for (int i = 0; i < others.size(); i++) {
      Txid other = others.get(i);
      TxStatus status = answers.get(i);
      if (status instanceof TxStatus.Confirmed || status instanceof TxStatus.InMempool) {
        log.atInfo().addKeyValue("penaltyTxid", g.txid()).addKeyValue("sentTxid", sentTxid).addKeyValue("spentBy", other)
            .log("fee ladder: a rung's inputs are spent by another rung the node holds; not a rejection");
        return new BroadcastResult.RejectedForNow(refusal.code(), refusal.message());
      }
    }
    return result;
  }

  /**
   * A refusal a higher fee can clear: below the node's minimum feerate, or a replacement paying too
   * little (bitcoind says "fee" in every such message). Not one for a missing parent or a locktime.
   */
  static boolean refusedForFee(BroadcastResult r) {
    return r instanceof BroadcastResult.RejectedForNow n && n.message().toLowerCase(java.util.Locale.ROOT).contains("fee");
  }

  /** How the block step turns a send's answer into a status. */
  @FunctionalInterface
  interface SendOutcome {
    void handle(PenaltyGroup g, Sent sent, int height, ChangeSet ch);
  }
}
