package io.responder.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalInt;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The persisted form of a tracker, and the validation shared with {@link Breach}. */
class TrackerCodecTest {
  // A legacy transaction written by the shared trace generator; its txid as the generator computed it.
  static final String DISPUTE = "b28eb56054979f5bd9f10b4b2df18fd3e8638db4895f0a476a4736ac1a156ec5";
  static final String BLOCK = "4a0cf2e6569a58bdfb1589f32a2304d09a860cfbfcb1e082f69a3667b683366a";
  static final String USER = "02" + DISPUTE;

  static String[] penalty() throws Exception {
    for (var s : TransactionParserTest.samples()) {
      if (s.name().equals("legacy_generated")) {
        return new String[] {s.txid(), s.raw()};
      }
    }
    throw new AssertionError("sample missing");
  }

  static Breach.Builder breach() throws Exception {
    String[] p = penalty();
    return Breach.builder()
        .uuid("0a24a98bee36300bd6f71068facf6494")
        .locator(DISPUTE.substring(0, 32))
        .disputeTxid(DISPUTE)
        .penaltyTxid(p[0])
        .penaltyRawTx(p[1])
        .userId(USER)
        .seenInBlock(BLOCK);
  }

  @Test
  void everyStatusRoundTrips() throws Exception {
    Breach b = breach().subscriptionEndHeight(900).build();
    for (TrackerStatus s : List.of(new TrackerStatus.Pending(110), new TrackerStatus.InMempool(111),
        new TrackerStatus.Confirmed(new BlockRef(BlockHash.fromHex(BLOCK), 112)))) {
      TransactionTracker t = TransactionTracker.of(b, OptionalInt.of(110), s);
      assertEquals(t, TransactionTracker.decode(t.encode()));
      assertEquals(b.locator(), t.locator());
      assertEquals(b.locator(), TransactionTracker.decode(t.encode()).locator());
    }
    TransactionTracker bare = TransactionTracker.of(breach().build(), OptionalInt.empty(), new TrackerStatus.Pending(1));
    TransactionTracker decoded = TransactionTracker.decode(bare.encode());
    assertEquals(bare, decoded);
    assertFalse(decoded.subscriptionEndHeight().isPresent());
    assertFalse(decoded.disputeRawTx().isPresent());
  }

  @Test
  void theFormIsStable() throws Exception {
    TransactionTracker t = TransactionTracker.of(breach().build(), OptionalInt.of(110), new TrackerStatus.InMempool(111));
    String encoded = t.encode();
    assertTrue(encoded.startsWith("{\"v\":1,\"uuid\":\"0a24a98b-ee36-300b-d6f7-1068facf6494\",\"locator\":\"b28eb56054979f5bd9f10b4b2df18fd3\""), encoded);
    assertTrue(encoded.endsWith("\"subscription_end\":null,\"dispute_height\":110,\"status\":\"in_mempool\",\"since_height\":111}"), encoded);
  }

  @ParameterizedTest
  @ValueSource(strings = {"uuid", "locator", "dispute_txid", "penalty_txid", "penalty_rawtx", "user_id", "status", "since_height", "v"})
  void aMissingFieldIsNamed(String field) throws Exception {
    String encoded = TransactionTracker.of(breach().build(), OptionalInt.empty(), new TrackerStatus.Pending(5)).encode();
    String without = encoded.replaceAll(",?\"" + field + "\":(\"[^\"]*\"|[0-9-]+|null)", "").replace("{,", "{");
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> TransactionTracker.decode(without));
    assertEquals(field, e.field());
    assertTrue(e.getMessage().contains("missing"), e.getMessage());
  }

  @Test
  void malformedRecordsAreRejectedNamingTheProblem() throws Exception {
    String good = TransactionTracker.of(breach().build(), OptionalInt.empty(), new TrackerStatus.Pending(5)).encode();
    assertEquals("tracker", assertThrows(InvalidInputException.class, () -> TransactionTracker.decode(good.substring(0, good.length() / 2))).field());
    assertEquals("tracker", assertThrows(InvalidInputException.class, () -> TransactionTracker.decode(good + "x")).field());
    assertEquals("v", assertThrows(InvalidInputException.class, () -> TransactionTracker.decode(good.replace("\"v\":1", "\"v\":3"))).field());
    // A version-1 record cannot carry the fields version 2 added.
    assertEquals("to_self_delay", assertThrows(InvalidInputException.class,
        () -> TransactionTracker.decode(good.replace("{", "{\"to_self_delay\":144,"))).field());
    assertEquals("status", assertThrows(InvalidInputException.class, () -> TransactionTracker.decode(good.replace("\"pending\"", "\"lost\""))).field());
    assertEquals("since_height", assertThrows(InvalidInputException.class, () -> TransactionTracker.decode(good.replace("\"since_height\":5", "\"since_height\":-5"))).field());
    assertEquals("extra", assertThrows(InvalidInputException.class, () -> TransactionTracker.decode(good.replace("{", "{\"extra\":1,"))).field());
    // A corrupted raw penalty no longer hashes to its txid.
    String corrupt = good.replace("\"penalty_rawtx\":\"0200", "\"penalty_rawtx\":\"0300");
    assertEquals("penaltyTxid", assertThrows(InvalidInputException.class, () -> TransactionTracker.decode(corrupt)).field());
  }

  @Test
  void breachValidationNamesTheField() throws Exception {
    String[] p = penalty();
    assertEquals("locator", assertThrows(InvalidInputException.class,
        () -> breach().locator(BLOCK.substring(0, 32)).build()).field());
    assertEquals("penaltyTxid", assertThrows(InvalidInputException.class,
        () -> breach().penaltyTxid(DISPUTE).build()).field());
    assertEquals("penaltyRawTx", assertThrows(InvalidInputException.class,
        () -> breach().penaltyRawTx(p[1].substring(0, p[1].length() - 2)).build()).field());
    assertEquals("disputeTxid", assertThrows(InvalidInputException.class,
        () -> breach().disputeRawTx(p[1]).build()).field());
    assertEquals("seenInBlock", assertThrows(InvalidInputException.class,
        () -> breach().seenInBlock((BlockHash) null).build()).field());
    assertEquals("penaltyRawTx", assertThrows(InvalidInputException.class,
        () -> breach().penaltyRawTx("zz").build()).field());
    assertEquals("subscriptionEndHeight", assertThrows(InvalidInputException.class,
        () -> breach().subscriptionEndHeight(-3)).field());
  }

  @Test
  void breachKeepsItsBytesToItself() throws Exception {
    Breach b = breach().build();
    byte[] raw = b.penaltyRawTx();
    raw[0] = 9;
    assertEquals(penalty()[0], TransactionTracker.of(b, OptionalInt.empty(), new TrackerStatus.Pending(1)).penaltyTxid().toHex());
    assertEquals(2, b.penaltyRawTx()[0]);
    assertFalse(b.toString().contains(penalty()[1].substring(0, 40)), "raw transactions are never printed");
    assertEquals(UUID.fromString("0a24a98b-ee36-300b-d6f7-1068facf6494"), b.uuid());
  }
}
