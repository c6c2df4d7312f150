package io.responder.core;

import static io.responder.core.TrackerBook.forEachMember;

import io.responder.core.internal.HeightIndex;
import io.responder.core.internal.PenaltyGroup;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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
  private static final class Plan {
    final FeeTerms terms;
    final List<Txid> variantTxids;
    /** The highest rung the node accepted in this run: never send lower. */
    int heldRung;
    /** Whether a rung was sent within the escalation window in this run (the next block it misses climbs). */
    boolean sentInWindow;
    boolean toldAtRisk;
    boolean toldDeadlinePassed;
    /** The package feerate of the last child the node took in this run: asking again for no more is a refused replacement. */
    FeeRate childFeeRate = FeeRate.ZERO;

    /** The dispute's txid: after a restart its height is checked against the node's chain. */
    final Txid disputeTxid;

    Plan(FeeTerms terms, Txid disputeTxid) {
      this.terms = terms;
      this.variantTxids = terms.variantTxids();
      this.disputeTxid = disputeTxid;
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

  /** Files a penalty's terms (at intake or load); penalties without terms are not kept. */
  void register(PenaltyGroup g, FeeTerms terms, Txid disputeTxid, int tipHeight) {
    if (terms.isNone() || plans.containsKey(g)) {
      return;
    }
    Plan plan = new Plan(terms, disputeTxid);
    plans.put(g, plan);
    for (Txid v : plan.variantTxids) {
      variants.put(v, g);
    }
    reconsider(g, tipHeight);
  }

  /**
   * The penalty's deadline may have moved (its dispute's height was learnt or lost) or it may be
   * unconfirmed again: it is looked at again on the next block.
   */
  void reconsider(PenaltyGroup g, int tipHeight) {
    if (plans.containsKey(g)) {
      opens.add(tipHeight + 1, g);
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
        if (!g.isLive() || plan.terms.toSelfDelay() < 0 || g.status() instanceof TrackerStatus.Confirmed) {
          continue; // no deadline counted from the dispute, or none that matters any more
        }
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

  boolean hasLadder(PenaltyGroup g) {
    Plan p = plans.get(g);
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
      Plan plan = plans.get(g);
      if (plan == null || !g.isLive() || !plan.terms.hasDeadline()) {
        continue;
      }
      int deadline = plan.terms.deadlineGiven(g.disputeHeight());
      if (deadline < 0) {
        continue; // the dispute is not confirmed: the cheater's clock has not started
      }
      EscalationPolicy policy = policyOf(plan);
      if (policy.startHeight(deadline) > height) {
        opens.add(policy.startHeight(deadline), g);
      } else {
        atRisk.add(g);
      }
    }
    List<PenaltyGroup> acted = new ArrayList<>();
    targets.clear();
    for (PenaltyGroup g : new ArrayList<>(atRisk)) {
      Plan plan = plans.get(g);
      if (plan == null || !g.isLive() || g.status() instanceof TrackerStatus.Confirmed) {
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
        continue;
      }
      tell(g, plan, deadline, left, ch);
      Optional<TransactionTracker> member = node.anyMember(g);
      if (member.isEmpty()) {
        continue;
      }
      // A rung already in the node's hands that missed the block just connected is not enough: one
      // higher, or the rung the blocks left call for, whichever is higher.
      int from = Math.max(policy.rungFor(left, plan.rungs()), plan.heldRung + (plan.sentInWindow ? 1 : 0));
      plan.sentInWindow = true;
      Sent sent = send(g, member.get(), from, ch);
      if (bumper != null && (sent.result() instanceof BroadcastResult.Accepted || refusedForFee(sent.result()))) {
        sent = bump(g, member.get(), sent, left, ch);
      }
      outcome.handle(g, sent, height, ch);
      acted.add(g);
    }
    return acted;
  }

  private void tell(PenaltyGroup g, Plan plan, int deadline, int left, ChangeSet ch) {
    Txid txid = g.txid();
    if (!plan.toldAtRisk) {
      plan.toldAtRisk = true;
      forEachMember(g, u -> ch.event(l -> l.penaltyAtRisk(u, txid, deadline, left)));
      log.atWarn().addKeyValue("penaltyTxid", txid).addKeyValue("deadlineHeight", deadline).addKeyValue("blocksLeft", left)
          .addKeyValue("rungs", plan.rungs()).log("penalty at risk: acting on every block until it confirms");
    }
    if (left < 0 && !plan.toldDeadlinePassed) {
      plan.toldDeadlinePassed = true;
      forEachMember(g, u -> ch.event(l -> l.deadlinePassed(u, txid, deadline)));
      log.atError().addKeyValue("penaltyTxid", txid).addKeyValue("deadlineHeight", deadline)
          .log("deadline passed with the penalty unconfirmed: the cheater can sweep; still trying");
    }
  }

  /**
   * Asks the host's bumper for a child paying the package up to the estimate for the blocks left,
   * and sends {@code [rung, child]}. Returns the rung's answer from the package, or {@code sent} when
   * no child was sent.
   */
  private Sent bump(PenaltyGroup g, TransactionTracker member, Sent sent, int left, ChangeSet ch) {
    Optional<FeeRate> target = targets.computeIfAbsent(Math.max(1, left), this::packageTarget);
    Plan plan = plans.get(g);
    if (target.isEmpty() || plan != null && target.get().compareTo(plan.childFeeRate) <= 0
        && sent.result() instanceof BroadcastResult.Accepted) {
      return sent; // no target, or no higher than the child already in: the node would refuse the replacement
    }
    byte[] raw = sent.rung() == 0 ? member.penaltyRawTxUnsafe() : member.feeTerms().variants()[sent.rung() - 1];
    RawTransaction parent = RawTransaction.trusted(sent.txid(), raw);
    Optional<FeeBumper.Bump> bump;
    try {
      bump = Objects.requireNonNull(bumper.childFor(parent, target.get(), maxChildFeeSats), "bumper returned null");
    } catch (RuntimeException e) {
      log.atWarn().addKeyValue("penaltyTxid", g.txid()).addKeyValue("reason", e.toString()).log("fee bumper failed; no child");
      return sent;
    }
    if (bump.isEmpty()) {
      return sent;
    }
    FeeBumper.Bump b = bump.get();
    if (b.feeSats() > maxChildFeeSats) {
      log.atWarn().addKeyValue("penaltyTxid", g.txid()).addKeyValue("feeSats", b.feeSats()).addKeyValue("cap", maxChildFeeSats)
          .log("fee bumper offered a child above the cap: not sent");
      return sent;
    }
    TransactionPackage pkg;
    try {
      pkg = TransactionPackage.of(parent, b.child());
    } catch (InvalidInputException e) {
      log.atWarn().addKeyValue("penaltyTxid", g.txid()).addKeyValue("childTxid", b.child().txid()).addKeyValue("reason", e.getMessage())
          .log("fee bumper offered a child that does not spend the penalty: not sent");
      return sent;
    }
    PackageResult answer = node.sendPackage(pkg);
    if (answer == null) {
      return sent;
    }
    BroadcastResult child = answer.results().get(1);
    if (plan != null && child.delivered()) {
      plan.childFeeRate = target.get();
    }
    Txid txid = g.txid();
    Txid childTxid = b.child().txid();
    forEachMember(g, u -> ch.event(l -> l.penaltyBumped(u, txid, childTxid, target.get(), b.feeSats(), child)));
    log.atInfo().addKeyValue("penaltyTxid", txid).addKeyValue("childTxid", childTxid).addKeyValue("packageFeeRate", target.get())
        .addKeyValue("feeSats", b.feeSats()).addKeyValue("result", child).log("penalty bumped by the host's child (CPFP)");
    // The package's answer for the rung counts only when it put the rung in the node's hands: a refusal
    // inside a package (a child's -25 while its parent is missing, say) is read as the rung's own
    // answer was, where "inputs missing" is final only with the dispute confirmed.
    BroadcastResult rung = answer.results().get(0);
    return rung.delivered() ? new Sent(rung, sent.txid(), sent.rung()) : sent;
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
    Plan plan = plans.get(g);
    if (plan == null) {
      return 0;
    }
    int deadline = plan.terms.deadlineGiven(g.disputeHeight());
    int derived = deadline < 0 ? 0 : policyOf(plan).rungFor(EscalationPolicy.blocksLeft(deadline, height), plan.rungs());
    return Math.max(derived, plan.heldRung);
  }

  /**
   * Sends rung {@code from} or, when the node refuses it for fee (or for a replacement too small),
   * the next ones at once, until one is taken or the ladder ends. Rung 0 goes through the ordinary
   * penalty send ("inputs missing" handled there).
   */
  Sent send(PenaltyGroup g, TransactionTracker member, int from, ChangeSet ch) {
    Plan plan = plans.get(g);
    int rungs = plan == null ? 1 : plan.rungs();
    int rung = Math.min(Math.max(from, plan == null ? 0 : plan.heldRung), rungs - 1);
    byte[] rawDispute = node.rawDisputeOf(g, member);
    while (true) {
      Sent sent;
      if (rung == 0) {
        sent = new Sent(node.sendPenalty(g.txid(), member.penaltyRawTxUnsafe(), member.disputeTxid(), rawDispute,
            node.disputeBlock(g), g.disputeHeight() >= 0), g.txid(), 0);
      } else {
        Txid txid = plan.variantTxids.get(rung - 1);
        byte[] raw = member.feeTerms().variants()[rung - 1];
        BroadcastResult r = node.sendPenalty(txid, raw, member.disputeTxid(), rawDispute, node.disputeBlock(g),
            g.disputeHeight() >= 0);
        sent = new Sent(r, txid, rung);
        int shown = rung;
        forEachMember(g, u -> ch.event(l -> l.penaltyEscalated(u, g.txid(), txid, shown, r)));
        log.atInfo().addKeyValue("penaltyTxid", g.txid()).addKeyValue("variantTxid", txid).addKeyValue("rung", rung)
            .addKeyValue("of", rungs - 1).addKeyValue("result", r).log("fee ladder: variant sent");
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
