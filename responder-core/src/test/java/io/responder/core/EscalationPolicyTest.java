package io.responder.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The escalation schedule as its javadoc states it: a function of heights only. */
class EscalationPolicyTest {
  private final EscalationPolicy policy = new EscalationPolicy(12);

  @Test
  void aLadderOfFourRungsClimbsAsTheWindowIsUsedUp() {
    int[] expected = new int[13];
    for (int left = 12; left >= 9; left--) {
      expected[left] = 1;
    }
    for (int left = 8; left >= 5; left--) {
      expected[left] = 2;
    }
    for (int left = 4; left >= 0; left--) {
      expected[left] = 3;
    }
    for (int left = 0; left <= 12; left++) {
      assertEquals(expected[left], policy.rungFor(left, 4), "blocks left " + left);
    }
    assertEquals(3, policy.rungFor(-5, 4), "after the deadline: the top rung");
  }

  @Test
  void farFromTheDeadlineThePenaltyItselfIsSent() {
    assertFalse(policy.atRisk(13));
    assertEquals(0, policy.rungFor(13, 4));
    assertEquals(0, policy.rungFor(100, 4));
    assertEquals(0, policy.rungFor(3, 1), "no ladder: rung 0 always");
  }

  @Test
  void theWindowOpensWithTwelveBlocksLeft() {
    int deadline = 500;
    int start = policy.startHeight(deadline);
    assertEquals(12, EscalationPolicy.blocksLeft(deadline, start));
    assertTrue(policy.atRisk(EscalationPolicy.blocksLeft(deadline, start)));
    assertFalse(policy.atRisk(EscalationPolicy.blocksLeft(deadline, start - 1)));
  }

  @Test
  void onlyRefusalsAHigherFeeCanClearClimbTheLadder() {
    assertTrue(Escalation.refusedForFee(new BroadcastResult.RejectedForNow(-26, "min relay fee not met, 0 < 11")));
    assertTrue(Escalation.refusedForFee(new BroadcastResult.RejectedForNow(-26,
        "insufficient fee, rejecting replacement 11, less fees than conflicting txs; 0.0000165 < 0.000022")));
    assertFalse(Escalation.refusedForFee(new BroadcastResult.RejectedForNow(-26, "non-final")));
    assertFalse(Escalation.refusedForFee(new BroadcastResult.RejectedForNow(-25, "bad-txns-inputs-missingorspent")));
    assertFalse(Escalation.refusedForFee(new BroadcastResult.Rejected(-26, "min relay fee not met")));
  }
}
