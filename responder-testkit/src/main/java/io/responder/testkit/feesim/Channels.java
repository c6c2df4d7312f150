package io.responder.testkit.feesim;

import io.responder.core.Txid;
import io.responder.testkit.Appointment;
import io.responder.testkit.TestTransaction;
import io.responder.testkit.Transactions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The transactions of one channel, made from its salt: the same in every run of a history. Rung 0 is
 * the penalty itself. Immutable.
 */
final class Channels {
  /** A 0.01 BTC channel. */
  static final long CHANNEL_SAT = 1_000_000;

  final FeeHistory.Channel spec;
  final TestTransaction funding;
  final Appointment appointment;
  /** Rung 0 (the penalty) and the ladder above it. */
  final List<TestTransaction> rungs;
  final long[] rungFees;
  final int[] rungVsizes;
  final long disputeFee;
  final int disputeVsize;

  Channels(FeeHistory.Channel spec) {
    this.spec = spec;
    Random rng = new Random(spec.salt());
    funding = Transactions.funding(rng, CHANNEL_SAT);
    appointment = Appointment.withFeerates(rng, funding, 0, spec.disputeSatPerVbyte(), spec.penaltySatPerVbyte());
    rungs = new ArrayList<>();
    rungs.add(appointment.penalty());
    if (!spec.rungSatPerVbyte().isEmpty()) {
      rungs.addAll(appointment.penaltyLadder(rng, spec.rungSatPerVbyte().stream().mapToDouble(Double::doubleValue).toArray()));
    }
    long disputeOut = appointment.dispute().outputValues().stream().mapToLong(Long::longValue).sum();
    disputeFee = CHANNEL_SAT - disputeOut;
    disputeVsize = appointment.dispute().vsize();
    long spent = appointment.dispute().outputValues().get(0);
    rungFees = new long[rungs.size()];
    rungVsizes = new int[rungs.size()];
    for (int i = 0; i < rungs.size(); i++) {
      rungFees[i] = spent - rungs.get(i).outputValues().stream().mapToLong(Long::longValue).sum();
      rungVsizes[i] = rungs.get(i).vsize();
    }
  }

  static List<Channels> of(FeeHistory history) {
    return history.channels().stream().map(Channels::new).toList();
  }

  Txid disputeTxid() {
    return appointment.dispute().txid();
  }

  int top() {
    return rungs.size() - 1;
  }

  /** The rung a txid is, or -1. */
  int rungOf(Txid txid) {
    for (int i = 0; i < rungs.size(); i++) {
      if (rungs.get(i).txid().equals(txid)) {
        return i;
      }
    }
    return -1;
  }
}
