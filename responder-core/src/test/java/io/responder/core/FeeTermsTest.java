package io.responder.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.internal.Hex;
import io.responder.core.internal.TransactionParser;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Deadlines and fee ladders on a breach: validation, and the version-2 persisted form. */
class FeeTermsTest {
  /** The test penalty with its first output lowered by {@code lessSats}: same inputs, a higher fee. */
  static byte[] variant(long lessSats) throws Exception {
    byte[] raw = Hex.decode("raw", TrackerCodecTest.penalty()[1]);
    int pos = 4;
    int inputs = raw[pos++] & 0xff;
    for (int i = 0; i < inputs; i++) {
      pos += 36;
      int script = raw[pos++] & 0xff;
      pos += script + 4;
    }
    pos++; // output count
    long value = 0;
    for (int b = 7; b >= 0; b--) {
      value = (value << 8) | (raw[pos + b] & 0xffL);
    }
    value -= lessSats;
    for (int b = 0; b < 8; b++) {
      raw[pos + b] = (byte) (value >>> (8 * b));
    }
    return raw;
  }

  @Test
  void aLadderAndADeadlineRoundTripAsVersion2AndAPlainTrackerStaysVersion1() throws Exception {
    Breach b = TrackerCodecTest.breach().toSelfDelay(144).addPenaltyVariant(variant(1_000)).addPenaltyVariant(variant(5_000))
        .build();
    TransactionTracker t = TransactionTracker.of(b, OptionalInt.of(110), new TrackerStatus.InMempool(111));

    String encoded = t.encode();
    assertTrue(encoded.startsWith("{\"v\":2,"), encoded);
    TransactionTracker back = TransactionTracker.decode(encoded);
    assertEquals(t, back);
    assertEquals(OptionalInt.of(144), back.toSelfDelay());
    assertEquals(2, back.penaltyVariants().size());
    assertArrayEquals(variant(5_000), back.penaltyVariants().get(1));
    assertTrue(b.sameAppointmentAs(back));
    assertTrue(TransactionTracker.of(TrackerCodecTest.breach().build(), OptionalInt.empty(), new TrackerStatus.Pending(1))
        .encode().startsWith("{\"v\":1,"));
  }

  @Test
  void badTermsAreRefusedNamingTheField() throws Exception {
    assertEquals("toSelfDelay", assertThrows(InvalidInputException.class,
        () -> TrackerCodecTest.breach().toSelfDelay(0).build()).field());
    assertEquals("toSelfDelay", assertThrows(InvalidInputException.class,
        () -> TrackerCodecTest.breach().toSelfDelay(70_000).build()).field());
    assertEquals("deadlineHeight", assertThrows(InvalidInputException.class,
        () -> TrackerCodecTest.breach().toSelfDelay(10).deadlineHeight(500).build()).field());
    byte[] same = Hex.decode("raw", TrackerCodecTest.penalty()[1]);
    assertEquals("penaltyVariants[0]", assertThrows(InvalidInputException.class,
        () -> TrackerCodecTest.breach().addPenaltyVariant(same).build()).field(), "the penalty itself is no variant");
    InvalidInputException cheaper = assertThrows(InvalidInputException.class,
        () -> TrackerCodecTest.breach().addPenaltyVariant(variant(5_000)).addPenaltyVariant(variant(1_000)).build());
    assertEquals("penaltyVariants[1]", cheaper.field());
    assertTrue(cheaper.getMessage().contains("no more fee"), cheaper.getMessage());
    String penaltyHex = TrackerCodecTest.penalty()[1];
    byte[] otherInputs = Hex.decode("raw", TransactionParserTest.samples().stream()
        .filter(s -> !s.raw().equals(penaltyHex)).findFirst().orElseThrow().raw());
    assertEquals("penaltyVariants[0]", assertThrows(InvalidInputException.class,
        () -> TrackerCodecTest.breach().addPenaltyVariant(otherInputs).build()).field());
    assertEquals("penaltyVariants[0]", assertThrows(InvalidInputException.class,
        () -> TrackerCodecTest.breach().addPenaltyVariant((byte[]) null).build()).field());
  }

  @Test
  void theDeadlineFollowsTheDisputesHeight() {
    assertEquals(254, new FeeTerms(144, -1, new byte[0][]).deadlineGiven(110));
    assertEquals(-1, new FeeTerms(144, -1, new byte[0][]).deadlineGiven(-1), "unknown until the dispute confirms");
    assertEquals(500, new FeeTerms(-1, 500, new byte[0][]).deadlineGiven(-1));
  }

  @Test
  void theVariantsOwnTxidsAreIndexed() throws Exception {
    FeeTerms terms = new FeeTerms(-1, 500, new byte[][] {variant(100)});
    assertEquals(List.of(TransactionParser.txid("v", variant(100))), terms.variantTxids());
  }
}
