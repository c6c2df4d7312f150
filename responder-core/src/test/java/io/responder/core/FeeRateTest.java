package io.responder.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** Feerates in sat/kvB, as bitcoind counts them, and estimates. */
class FeeRateTest {
  @Test
  void unitsAgree() {
    assertEquals(FeeRate.ofSatPerKvB(1000), FeeRate.ofSatPerVbyte(1));
    assertEquals(FeeRate.ofSatPerKvB(100), FeeRate.ofBtcPerKvB(new BigDecimal("0.00000100")), "bitcoind's minrelaytxfee");
    assertEquals(10_001, FeeRate.ofBtcPerKvB(new BigDecimal("0.00010001")).satPerKvB());
    assertEquals(new BigDecimal("10.001"), FeeRate.ofSatPerKvB(10_001).satPerVbyte());
    assertEquals("10.001 sat/vB", FeeRate.ofSatPerKvB(10_001).toString());
    assertEquals("1 sat/vB", FeeRate.ofSatPerVbyte(1).toString());
    assertEquals("0 sat/vB", FeeRate.ZERO.toString());
    assertSame(FeeRate.ZERO, FeeRate.ofSatPerKvB(0));
  }

  @Test
  void btcFractionsBelowASatoshiPerKvBRoundUp() {
    assertEquals(2, FeeRate.ofBtcPerKvB(new BigDecimal("0.000000011")).satPerKvB());
  }

  @Test
  void feeForAVirtualSizeRoundsUpAsTheMempoolDoes() {
    // "min relay fee not met, 0 < 11": 0.1 sat/vB of 110 vB; "mempool min fee not met, 110 < 231": 2.099 sat/vB.
    assertEquals(11, FeeRate.ofSatPerKvB(100).feeFor(110));
    assertEquals(231, FeeRate.ofSatPerKvB(2_099).feeFor(110));
    assertEquals(0, FeeRate.ofSatPerKvB(2_099).feeFor(0));
    assertEquals(FeeRate.MAX_SAT_PER_KVB * 1000, FeeRate.ofSatPerKvB(FeeRate.MAX_SAT_PER_KVB).feeFor(1_000_000));
  }

  @Test
  void feerateOfAFeeRoundsDown() {
    // The zero-fee parent and its 5000-sat child: 5000 sat over 220 vB is 22.727 sat/vB, as bitcoind says.
    assertEquals(FeeRate.ofSatPerKvB(22_727), FeeRate.ofFee(5_000, 220));
    assertEquals(FeeRate.ofSatPerVbyte(50), FeeRate.ofFee(5_500, 110));
  }

  @Test
  void orderedByFeerate() {
    FeeRate low = FeeRate.ofSatPerKvB(100);
    FeeRate high = FeeRate.ofSatPerKvB(2_099);
    assertTrue(low.compareTo(high) < 0);
    assertSame(high, low.max(high));
    assertSame(high, high.max(low));
    assertEquals(low, FeeRate.ofSatPerKvB(100));
    assertEquals(low.hashCode(), FeeRate.ofSatPerKvB(100).hashCode());
    assertNotEquals(low, high);
  }

  @Test
  void outOfRangeIsRefused() {
    assertEquals("feeRate", assertThrows(InvalidInputException.class, () -> FeeRate.ofSatPerKvB(-1)).field());
    assertThrows(InvalidInputException.class, () -> FeeRate.ofSatPerKvB(FeeRate.MAX_SAT_PER_KVB + 1));
    assertThrows(InvalidInputException.class, () -> FeeRate.ofSatPerVbyte(-1));
    assertThrows(InvalidInputException.class, () -> FeeRate.ofSatPerVbyte(FeeRate.MAX_SAT_PER_KVB));
    assertThrows(InvalidInputException.class, () -> FeeRate.ofBtcPerKvB(null));
    assertThrows(InvalidInputException.class, () -> FeeRate.ofBtcPerKvB(new BigDecimal("-0.00000001")));
    assertThrows(InvalidInputException.class, () -> FeeRate.ofBtcPerKvB(new BigDecimal("1000.00000001")));
    assertEquals("vsize", assertThrows(InvalidInputException.class, () -> FeeRate.ofSatPerKvB(1).feeFor(-1)).field());
    assertThrows(InvalidInputException.class, () -> FeeRate.ofSatPerKvB(1).feeFor(1_000_001));
    assertEquals("vsize", assertThrows(InvalidInputException.class, () -> FeeRate.ofFee(1, 0)).field());
    assertEquals("fee", assertThrows(InvalidInputException.class, () -> FeeRate.ofFee(-1, 1)).field());
  }

  @Test
  void anEstimateIsRaisedToAFloorButNeverLowered() {
    FeeEstimate e = new FeeEstimate(FeeRate.ofSatPerVbyte(1), 6);
    assertEquals(new FeeEstimate(FeeRate.ofSatPerKvB(2_099), 6), e.atLeast(FeeRate.ofSatPerKvB(2_099)));
    assertSame(e, e.atLeast(FeeRate.ofSatPerKvB(100)));
    assertEquals("blocks", assertThrows(InvalidInputException.class, () -> new FeeEstimate(FeeRate.ZERO, 0)).field());
    assertEquals("feeRate", assertThrows(InvalidInputException.class, () -> new FeeEstimate(null, 1)).field());
  }
}
