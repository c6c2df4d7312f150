package io.responder.core;

import io.responder.core.internal.PenaltyGroup;
import io.responder.core.internal.PenaltyIndex;
import io.responder.core.internal.RecentBlocks;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * B2: one connected block, in the spec's order (confirmations, completions, expiries, missed
 * confirmations, pending retries), committed with the new tip as one unit. Also the two sends the
 * other rooms share: a rebroadcast, and the retry of a pending penalty.
 *
 * <p>Work per block is the block's txids plus the groups whose schedules fall due at its height.
 * Confined to the Responder's lock.
 */
final class BlockStep {
  private static final Logger log = LoggerFactory.getLogger(Responder.class);
  private final TrackerBook book;
  private final NodeLink node;
  private final Ledger ledger;
  private final RecentBlocks window;
  private final ResponderConfig config;
  private final Escalation escalation;
  private final Instruments instruments;

  BlockStep(TrackerBook book, NodeLink node, Ledger ledger, RecentBlocks window, ResponderConfig config,
      Escalation escalation, Instruments instruments) {
    this.book = book;
    this.node = node;
    this.ledger = ledger;
    this.window = window;
    this.config = config;
    this.escalation = escalation;
    this.instruments = instruments;
  }

  /** Connects a child of the tip. Whatever fails inside leaves the block undone (the state reloads). */
  void connect(Block block) {
    long start = instruments.start();
    boolean committed = false;
    try {
      ledger.guarded(() -> connectUnguarded(block));
      committed = true;
    } finally {
      instruments.blockProcessed(start, committed);
      if (committed) {
        instruments.chainState(window.tip(), book.trackerCountsByState()); // a long catch-up shows progress
      }
    }
  }

  private void connectUnguarded(Block block) {
    BlockRef ref = block.ref();
    int height = block.height();
    ChangeSet ch = new ChangeSet();
    // A connected block starts a new interval: what was sent before it may be sent again now (a
    // pending penalty must really be retried), but not twice within this block's own work.
    node.newInterval();

    // Dispute heights stored before a restart are checked against the node's chain first: a dispute
    // found in none of its blocks is awaited, so step 1 learns it from this very block if it is here
    // (checked after step 1, a dispute mined again in this block was never learnt: fee simulation,
    // seed 145480).
    if (escalation.heightsUnchecked()) {
      escalation.checkDisputeHeights(book, window.tip(), config.reorgWindow());
    }

    // 0. A penalty the node reported confirmed above the Responder's tip is checked when that height
    // arrives: in another block than the one recorded, it is unconfirmed (step 1 confirms it again
    // if this block has it).
    for (PenaltyGroup g : book.confirmedAt(height)) {
      if (g.isLive() && book.status(g) instanceof TrackerStatus.Confirmed c && c.block().height() == height
          && !c.block().hash().equals(block.hash())) {
        book.unconfirm(g, new TrackerStatus.InMempool(height - 1), ch);
      }
    }

    // 1. Confirmations, and the heights of disputes the Responder lost track of.
    TrackerStatus.Confirmed confirmed = new TrackerStatus.Confirmed(ref);
    boolean disputesAwaited = book.awaitsDisputes();
    boolean ladders = escalation.hasLadders();
    List<Txid> txids = block.txids();
    for (int from = 0; from < txids.size(); from += PenaltyIndex.SLICE) {
      // Each slice of the block looked up together, then confirmed while the groups found are in the
      // cache. The index does not change meanwhile: this step files and removes no group.
      int to = Math.min(txids.size(), from + PenaltyIndex.SLICE);
      @Nullable PenaltyGroup[] tracked = book.getAll(txids, from, to);
      for (int k = 0; k < to - from; k++) {
        Txid txid = txids.get(from + k);
        if (disputesAwaited) {
          for (PenaltyGroup learnt : book.learnDisputeHeight(txid, height)) {
            escalation.reconsider(learnt, height); // its deadline is known, or moved
          }
        }
        PenaltyGroup g = tracked[k];
        if (g == null && ladders) {
          g = escalation.groupOfVariant(txid); // whichever rung of the fee ladder confirms, confirms it
        }
        // A confirmation recorded above this block is what the node said before the Responder got
        // there (its branch may since have been replaced): the block in hand is where the chain has it.
        if (g == null || book.status(g) instanceof TrackerStatus.Confirmed c && c.block().height() <= height) {
          continue;
        }
        book.confirm(g, confirmed, ch);
        ch.lines().line(log, BlockLines.Kind.CONFIRMED).addKeyValue("penaltyTxid", txid).addKeyValue("height", height)
            .addKeyValue("trackers", g.size()).log("penalty confirmed");
      }
    }

    // 2. Completion at the irrevocable depth.
    int completesAtOrBelow = height - config.irrevocableDepth() + 1;
    List<PenaltyGroup> completing = book.completionsDueBy(completesAtOrBelow);
    PenaltyGroup.readAhead(completing); // confirmed a hundred blocks ago: none is in the cache any more
    for (PenaltyGroup g : completing) {
      if (g.isLive() && book.status(g) instanceof TrackerStatus.Confirmed c && c.block().height() <= completesAtOrBelow) {
        LoggingEventBuilder line = ch.lines().lineIfWritten(log, BlockLines.Kind.RESOLVED);
        if (line != null) {
          line.addKeyValue("penaltyTxid", g.txid()).addKeyValue("confirmedHeight", c.block().height())
              .addKeyValue("height", height).addKeyValue("trackers", g.size()).log("penalty irrevocably resolved");
        }
        book.drop(g, ch, ChangeSet.COMPLETED, ref);
      }
    }

    // 3. Expiry of unconfirmed trackers whose subscription ended. Schedule entries are lazy and a
    // penalty may have several (one per appointment, more after a reorg), so the node is asked at
    // most once per penalty and only when one of its appointments really ends.
    List<PenaltyGroup> expiring = book.expiriesDueBy(height);
    // Sized for the block's expiring groups up front: grown from empty, they rehash a dozen times.
    Set<PenaltyGroup> askedNode = Collections.newSetFromMap(new IdentityHashMap<>(expiring.size()));
    Set<PenaltyGroup> minedSomewhere = Collections.newSetFromMap(new IdentityHashMap<>());
    Map<PenaltyGroup, Optional<TransactionTracker>> checkedAhead = checkExpiringAhead(expiring, height, ch);
    // The node's answers came in between: read the groups again in a pass of their own, so that their
    // cache misses overlap instead of the loop below waiting for each.
    PenaltyGroup.readAhead(expiring);
    for (PenaltyGroup g : expiring) {
      if (!g.isLive() || g.state() == TrackerState.CONFIRMED || !g.hasMemberEndingBy(height)) {
        continue;
      }
      if (askedNode.add(g)) {
        boolean mined;
        if (g.state() == TrackerState.PENDING) {
          // The node never answered for a pending penalty, which may have been mined meanwhile: ask
          // now (instead of in step 5), so a confirmed penalty runs to completion instead. Its member
          // was read, and its penalty sent, with the block's other expiring penalties.
          Optional<TransactionTracker> member = checkedAhead.get(g);
          BroadcastResult answer = member == null ? retryPending(g, ref, ch)
              : member.map(m -> retryPending(g, m, height, ch)).orElse(null);
          mined = answer instanceof BroadcastResult.AlreadyConfirmed;
        } else {
          mined = minedButNotLocated(g, height, ch, checkedAhead);
        }
        if (mined && g.isLive() && g.state() != TrackerState.CONFIRMED) {
          // Mined, in a block not located yet: confirmed penalties never expire. Asked again next block.
          minedSomewhere.add(g);
          book.expiryAgainAt(g, height + 1);
        }
      }
      // A group may have several entries here: the answer for the first decides for all of them.
      if (g.isLive() && g.state() != TrackerState.CONFIRMED && !minedSomewhere.contains(g)) {
        book.expireMembers(g, ref, ch);
      }
    }

    // 3b. Penalties whose deadline is near: the escalation schedule acts on every block, and steps 4
    // and 5 leave them alone. Deadlines count from dispute heights checked against the node at start
    // (before step 1).
    Set<PenaltyGroup> escalated = Collections.newSetFromMap(new IdentityHashMap<>());
    escalated.addAll(escalation.act(ref, ch, (g, sent, h, c) -> settle(g, sent, h, c, ResendReason.AT_RISK)));

    // 4. Missed confirmations: rebroadcast what is due, once per penalty, the sends in batches.
    rebroadcastDue(book.rebroadcastsDueBy(height), height, ch, escalated, askedNode);

    // 5. Pending retries: one store read, the sends in one batch.
    List<PenaltyGroup> retries = new ArrayList<>();
    for (PenaltyGroup g : book.pendingGroups()) {
      if (!askedNode.contains(g) && !escalated.contains(g)) { // tried already in step 3, 3b or 4
        retries.add(g);
      }
    }
    retryAll(retries, height, ch);

    // 6. Persist the block's changes with the new tip, then 7. forget this interval's receipts.
    window.push(ref);
    book.afterBlock(height);
    escalation.afterBlock();
    node.newInterval();
    ledger.commit(ch, Optional.of(ref));
    ch.lines().summarize(log, "block connected", ref);
  }

  /**
   * Step 4 for the groups whose rebroadcast schedule fell due: those still in the mempool whose count
   * of missed blocks turns over (or whose rebroadcast is owed) are sent again, once each. A storm
   * (every unconfirmed penalty at once) goes in batches of the store's choosing
   * ({@link TrackerStore#findAllBatchSize()}): one store read and one carrier batch each, settled
   * before the next is read, and what a batch reads and builds dies before the next, instead of
   * living through the whole storm. A group with several entries due is picked once: a flag on the
   * group, set while the storm goes on (a rebroadcast the node takes leaves the group due at this
   * height, since its status does not change) and cleared at the end, without a set of a storm's
   * size.
   */
  private void rebroadcastDue(List<PenaltyGroup> dueNow, int height, ChangeSet ch, Set<PenaltyGroup> escalated,
      Set<PenaltyGroup> askedNode) {
    List<PenaltyGroup> picked = new ArrayList<>(dueNow.size());
    int batchSize = node.findAllBatch();
    try {
      List<@Nullable TransactionTracker> members = new ArrayList<>(Math.min(dueNow.size(), batchSize));
      List<UUID> firsts = new ArrayList<>(Math.min(dueNow.size(), batchSize));
      node.expectSends(dueNow.size()); // at most one receipt each: room for the storm at once
      int from = 0;
      for (int i = 0; i < dueNow.size(); i++) {
        PenaltyGroup g = dueNow.get(i);
        // The set is asked only when it holds something: asking hashes the group by identity.
        if (!g.isPicked() && book.rebroadcastDueAt(g, height) && (escalated.isEmpty() || !escalated.contains(g))) {
          g.setPicked(true);
          picked.add(g);
          firsts.add(g.uuid(0));
        }
        if (picked.size() - from == batchSize || i == dueNow.size() - 1 && picked.size() > from) {
          List<PenaltyGroup> batch = picked.subList(from, picked.size());
          node.anyMembers(batch, firsts, members);
          sendAhead(batch, members, height);
          for (int k = 0; k < batch.size(); k++) {
            PenaltyGroup p = batch.get(k);
            TransactionTracker member = members.get(k);
            if (member == null) {
              continue; // logged by the read: nothing to send
            }
            LoggingEventBuilder line = ch.lines().lineIfWritten(log, BlockLines.Kind.REBROADCAST);
            if (line != null) {
              line.addKeyValue("penaltyTxid", p.txid())
                  .addKeyValue("inMempoolSince", ((TrackerStatus.InMempool) book.status(p)).sinceHeight())
                  .log("penalty missed too many blocks: rebroadcasting");
            }
            resend(p, member, height, ch, ResendReason.MISSED_BLOCKS);
            if (p.state() == TrackerState.PENDING) {
              askedNode.add(p); // a refused rebroadcast turns it pending: not retried again in step 5
            }
          }
          from = picked.size();
          firsts.clear();
          members.clear();
        }
      }
    } finally {
      for (PenaltyGroup g : picked) {
        g.setPicked(false);
      }
    }
  }

  /**
   * Before the trackers of an unconfirmed penalty expire, asks the node once whether it is confirmed
   * in a block the Responder never connected (below the fork of a reorganisation deeper than its
   * window, found while the node was down): a confirmed penalty runs to completion instead. One
   * lookup per expiring penalty, never per block.
   *
   * @return true when the node holds the penalty in its mempool: then no rung of it is mined on the
   *     node's chain (every rung spends the same outpoints), and nothing more needs asking
   */
  private boolean confirmIfTheNodeHasIt(PenaltyGroup g, ChangeSet ch) {
    return confirmIfTheNodeHasIt(g, node.status(g.txid(), node.disputeBlock(g)), ch);
  }

  /** As {@link #confirmIfTheNodeHasIt(PenaltyGroup, ChangeSet)}, with the node's answer at hand. */
  private boolean confirmIfTheNodeHasIt(PenaltyGroup g, TxStatus status, ChangeSet ch) {
    if (status instanceof TxStatus.Confirmed c && c.block().height() <= window.tip().height()
        && (window.contains(c.block()) || c.block().height() < window.bottomHeight())) {
      book.confirm(g, c.block(), ch);
      ch.lines().line(log, BlockLines.Kind.CONFIRMATION_LEARNT).addKeyValue("penaltyTxid", g.txid())
          .addKeyValue("height", c.block().height()).log("penalty about to expire is confirmed after all: it runs to completion");
    }
    return status instanceof TxStatus.InMempool;
  }

  /**
   * Step 3's questions for the penalties whose trackers expire at this block, asked together: the
   * in-mempool ones' status lookups in one {@link Carrier#statusAll} call (each answer read as
   * {@link #confirmIfTheNodeHasIt} reads it); then, for those neither confirmed nor in the node's
   * mempool, and for the pending ones, one store read and one carrier batch of their penalties, whose
   * answers become this interval's receipts. A block where thousands of subscriptions end makes
   * three carrier and store calls, not thousands (a node that does not answer costs one timeout, not
   * one per penalty), and sends nothing the node holds already. {@link #minedButNotLocated} and the
   * pending retries then go on from there.
   *
   * @return by group asked about (or pending) and still unconfirmed, the member read (empty: none in
   *     the store, or nothing more to ask: the node holds the penalty in its mempool)
   */
  private Map<PenaltyGroup, Optional<TransactionTracker>> checkExpiringAhead(List<PenaltyGroup> expiring, int height,
      ChangeSet ch) {
    Map<PenaltyGroup, Optional<TransactionTracker>> checked = new IdentityHashMap<>(expiring.size());
    List<PenaltyGroup> asked = new ArrayList<>();
    List<StatusQuery> queries = new ArrayList<>();
    List<PenaltyGroup> unconfirmed = new ArrayList<>();
    PenaltyGroup.readAhead(expiring);
    for (PenaltyGroup g : expiring) {
      if (!g.isLive() || !g.hasMemberEndingBy(height) || checked.containsKey(g)) {
        continue;
      }
      if (g.state() == TrackerState.IN_MEMPOOL) {
        checked.put(g, Optional.empty()); // its member, if it is sent ahead, is filled in below
        asked.add(g);
        queries.add(new StatusQuery(g.txid(), node.disputeBlock(g)));
      } else if (g.state() == TrackerState.PENDING) {
        checked.put(g, Optional.empty()); // sent again whatever a lookup would say: just the send
        unconfirmed.add(g);
      }
    }
    List<TxStatus> answers = node.statusAll(queries);
    for (int i = 0; i < asked.size(); i++) {
      PenaltyGroup g = asked.get(i);
      // In the node's mempool, so mined nowhere: nothing to send. Confirmed: nothing to send either.
      if (!confirmIfTheNodeHasIt(g, answers.get(i), ch) && g.state() != TrackerState.CONFIRMED) {
        unconfirmed.add(g);
      }
    }
    if (unconfirmed.isEmpty()) {
      return checked;
    }
    List<@Nullable TransactionTracker> members = new ArrayList<>(unconfirmed.size());
    node.anyMembers(unconfirmed, members);
    sendAhead(unconfirmed, members, height, true);
    for (int i = 0; i < unconfirmed.size(); i++) {
      checked.put(unconfirmed.get(i), Optional.ofNullable(members.get(i)));
    }
    return checked;
  }

  /**
   * Asks the node about an in-mempool penalty whose trackers are about to expire: by status lookup,
   * and, unless the node holds it in its mempool, since a node without -txindex cannot see a confirmed
   * transaction that way, by sending it (each rung of its ladder, at most one send each per block) and
   * reading "already confirmed".
   * Confirms it where it is found; returns true when it is confirmed but its block cannot be located
   * yet (it becomes pending, and must not expire).
   */
  private boolean minedButNotLocated(PenaltyGroup g, int height, ChangeSet ch,
      Map<PenaltyGroup, Optional<TransactionTracker>> checkedAhead) {
    Optional<TransactionTracker> member = checkedAhead.get(g);
    if (member == null) { // not asked ahead
      if (confirmIfTheNodeHasIt(g, ch) || g.state() == TrackerState.CONFIRMED) {
        return false;
      }
      member = node.anyMember(g);
    }
    if (member.isEmpty()) {
      return false;
    }
    TransactionTracker t = member.get();
    byte[] rawDispute = node.rawDisputeOf(g, t);
    // The rungs as the batch sent ahead has them, so each send here reads its receipt.
    for (RawTransaction rung : escalation.everyRung(g, t)) {
      Txid txid = rung.txid();
      // Sent as any penalty is: a node lacking the dispute gets it first.
      if (node.sendPenalty(txid, rung.bytes(), t.disputeTxid(), rawDispute, g.disputeHeight(), null, ch.lines())
          instanceof BroadcastResult.AlreadyConfirmed ac) {
        Optional<BlockRef> at = node.locateConfirmation(txid, ac.confirmations(), g.disputeHeight());
        if (at.isPresent()) {
          book.confirm(g, at.get(), ch);
          ch.lines().line(log, BlockLines.Kind.CONFIRMATION_LEARNT).addKeyValue("penaltyTxid", g.txid())
              .addKeyValue("height", at.get().height()).log("penalty about to expire is confirmed after all: it runs to completion");
          return false;
        }
        book.becomePending(g, height, ch);
        return true;
      }
    }
    return false;
  }

  /**
   * Broadcasts an in-mempool (or freshly unconfirmed) penalty again and restarts its count. An answer
   * that does not put it in the node's hands makes it pending (retried every block): recording a
   * refused penalty as in the mempool would wait six blocks between attempts and report a status the
   * node contradicts.
   */
  void resend(PenaltyGroup g, TransactionTracker member, int height, ChangeSet ch, ResendReason reason) {
    settle(g, escalation.send(g, member, resendFrom(g, height), ch), height, ch, reason);
  }

  /** A penalty with a fee ladder that keeps missing blocks climbs one rung at each rebroadcast. */
  private int resendFrom(PenaltyGroup g, int height) {
    return escalation.hasLadder(g) ? escalation.floor(g, height) + 1 : 0;
  }

  /** Turns the answer to a send of an unconfirmed penalty into its status. */
  private void settle(PenaltyGroup g, Escalation.Sent sent, int height, ChangeSet ch, ResendReason reason) {
    if (g.state() == TrackerState.PENDING) {
      settlePending(g, sent, height, ch, reason);
      return;
    }
    BroadcastResult result = sent.result();
    if (sent.rung() == 0) { // a rung of the ladder was told as penaltyEscalated
      ch.resent(g, g.txid(), reason, result);
    }
    if (result instanceof BroadcastResult.NodeUnavailable) {
      book.couldNotSend(g, height); // nothing was learnt: a rebroadcast that was due is tried on the next block
    } else if (result instanceof BroadcastResult.AlreadyConfirmed ac) {
      // Confirmed in a block the Responder did not see it in (below the fork of a reorganisation
      // deeper than its window, say): learn where, or it would be rebroadcast forever, never complete,
      // and could even expire while confirmed.
      Optional<BlockRef> at = node.locateConfirmation(sent.txid(), ac.confirmations(), g.disputeHeight());
      if (at.isEmpty()) {
        book.becomePending(g, height, ch);
        return;
      }
      book.confirm(g, at.get(), ch);
      ch.lines().line(log, BlockLines.Kind.CONFIRMATION_LEARNT).addKeyValue("penaltyTxid", g.txid())
          .addKeyValue("height", at.get().height()).log("rebroadcast penalty was already confirmed: confirmation re-learnt");
    } else if (result instanceof BroadcastResult.Accepted) {
      book.acceptedAt(g, height, ch);
    } else {
      // Not in the node's hands: pending, so it is retried on every block and, like any pending
      // penalty, dropped only if the node refuses it for good again on the next try.
      ch.lines().line(log, BlockLines.Kind.REFUSED).addKeyValue("penaltyTxid", g.txid()).addKeyValue("result", result)
          .log("rebroadcast refused: the penalty is pending and retried on every block");
      book.becomePending(g, height, ch);
    }
  }

  /**
   * Sends a pending penalty again. A pending penalty refused for good is dropped (B1.6).
   *
   * @return the node's answer, or null when the penalty was not sent (no longer pending, or not in the store)
   */
  @Nullable BroadcastResult retryPending(PenaltyGroup g, BlockRef ref, ChangeSet ch) {
    if (!g.isLive() || g.state() != TrackerState.PENDING) {
      return null;
    }
    Optional<TransactionTracker> member = node.anyMember(g);
    return member.isEmpty() ? null : retryPending(g, member.get(), ref.height(), ch);
  }

  @Nullable BroadcastResult retryPending(PenaltyGroup g, TransactionTracker member, int height, ChangeSet ch) {
    if (!g.isLive() || g.state() != TrackerState.PENDING) {
      return null; // dropped or settled earlier in this block
    }
    return settlePending(g, escalation.send(g, member, escalation.floor(g, height), ch), height, ch,
        ResendReason.PENDING_RETRY);
  }

  /** Retries pending {@code groups}: their members read in one store call, the sends in one batch. */
  private void retryAll(List<PenaltyGroup> groups, int height, ChangeSet ch) {
    if (groups.isEmpty()) {
      return;
    }
    List<@Nullable TransactionTracker> members = new ArrayList<>(groups.size());
    node.anyMembers(groups, members);
    sendAhead(groups, members, height);
    for (int i = 0; i < groups.size(); i++) {
      TransactionTracker member = members.get(i);
      if (member != null) {
        retryPending(groups.get(i), member, height, ch);
      }
    }
  }

  /**
   * Sends the penalties of {@code groups} about to be retried (the pending ones) or sent again (the
   * others) at {@code height} in one batch through {@link Carrier#broadcastAll}: each as the rung its
   * own send will start from, the penalty itself without a ladder. Their answers become this
   * interval's receipts, so the per-penalty sends that follow cost no further call. A block that
   * rebroadcasts ten thousand penalties makes a few batch requests, not ten thousand round trips,
   * with fee ladders or without.
   */
  void sendAhead(List<PenaltyGroup> groups, List<@Nullable TransactionTracker> members, int height) {
    sendAhead(groups, members, height, false);
  }

  /**
   * The same; with {@code everyRung}, the penalties not pending go as every rung of their ladders,
   * as a penalty about to expire is sent to learn whether any rung was mined.
   */
  private void sendAhead(List<PenaltyGroup> groups, List<@Nullable TransactionTracker> members, int height,
      boolean everyRung) {
    List<RawTransaction> batch = new ArrayList<>(groups.size());
    for (int i = 0; i < groups.size(); i++) {
      PenaltyGroup g = groups.get(i);
      TransactionTracker member = members.get(i);
      if (member == null) {
        continue;
      }
      boolean pending = g.state() == TrackerState.PENDING;
      if (everyRung && !pending) {
        batch.addAll(escalation.everyRung(g, member));
      } else {
        // As retryPending and resend will start: a pending penalty at the floor, another one above it.
        batch.add(escalation.rungFrom(g, member, pending ? escalation.floor(g, height) : resendFrom(g, height)));
      }
    }
    node.sendAll(batch);
  }

  private BroadcastResult settlePending(PenaltyGroup g, Escalation.Sent sent, int height, ChangeSet ch,
      ResendReason reason) {
    instruments.counted(ResponderMetrics.Event.PENDING_RETRIED, g.size());
    BroadcastResult result = sent.result();
    if (sent.rung() == 0) { // a rung of the ladder was told as penaltyEscalated
      ch.resent(g, g.txid(), reason, result);
    }
    if (result instanceof BroadcastResult.Rejected rejection) {
      ch.lines().line(log, BlockLines.Kind.REJECTED).addKeyValue("penaltyTxid", g.txid()).addKeyValue("code", rejection.code())
          .addKeyValue("message", rejection.message()).log("pending penalty rejected for good: trackers dropped");
      book.drop(g, ch, ChangeSet.REJECTED, rejection);
      return result;
    }
    TrackerStatus next = statusAfterBroadcast(result, sent.txid(), g.disputeHeight(), height);
    if (next instanceof TrackerStatus.Pending) {
      return result; // still pending; its recorded status does not change
    }
    if (next instanceof TrackerStatus.Confirmed c) {
      book.confirm(g, c.block(), ch);
    } else {
      book.acceptedAt(g, height, ch);
    }
    ch.lines().line(log, BlockLines.Kind.ACCEPTED).addKeyValue("penaltyTxid", g.txid()).addKeyValue("status", next)
        .log("pending penalty accepted");
    return result;
  }

  /**
   * Retries every pending penalty at the current tip, committed as one unit: the node is back, and
   * waiting for the next block would give the cheater's timelock minutes for nothing.
   */
  void retryPendingNow() {
    if (!book.hasPending()) {
      return;
    }
    ledger.guarded(() -> {
      // A new interval: the answers cached while the node was away are what is being retried.
      node.newInterval();
      ChangeSet ch = new ChangeSet();
      retryAll(book.pendingGroups(), window.tip().height(), ch);
      if (!ch.isEmpty()) {
        ledger.commit(ch, Optional.empty());
      }
      // Also when nothing changed: penalties kept pending may have logged lines (awaiting their disputes).
      ch.lines().summarize(log, "pending penalties retried", window.tip());
    });
  }

  /**
   * The status a penalty gets from a broadcast answer (B1.2, and every retry after); null for a
   * permanent rejection. A penalty the node calls confirmed in a block the Responder cannot locate
   * stays pending: retried on every block until the location is learnt (or a connected block holds
   * it), because any guess could be below the real block and complete the tracker early.
   */
  @Nullable TrackerStatus statusAfterBroadcast(BroadcastResult result, Txid txid, int disputeHeight, int height) {
    if (result instanceof BroadcastResult.Accepted) {
      return book.inMempoolSince(height);
    }
    if (result instanceof BroadcastResult.AlreadyConfirmed ac) {
      Optional<BlockRef> at = node.locateConfirmation(txid, ac.confirmations(), disputeHeight);
      return at.isPresent() ? new TrackerStatus.Confirmed(at.get()) : new TrackerStatus.Pending(height);
    }
    if (result instanceof BroadcastResult.Rejected) {
      return null;
    }
    return new TrackerStatus.Pending(height);
  }
}
