package io.responder.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.internal.Hex;
import io.responder.core.internal.TransactionParser;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Encodings bitcoind refuses are refused here too, so that one transaction, hash or number never has
 * two accepted spellings: CompactSize counts in their shortest form only, BIP 144's flag 1 only, no
 * segwit marker without a witness, and ASCII digits only in every hex and number field.
 */
class StrictEncodingTest {
  // A small legacy transaction, built from parts so that each part can be re-encoded.
  private static final String VERSION = "02000000";
  private static final String PREVOUT = "38b4e652e44da7f2370d9e260e27136550a4a3a6d07f5c0c332f8b1224083fd2" + "01000000";
  private static final String SEQUENCE = "fdffffff";
  private static final String OUTPUT = "f0b9f50500000000" + "01" + "51"; // value, OP_TRUE
  private static final String LOCKTIME = "00000000";
  private static final String WITNESS = "01" + "01" + "51"; // one item of one byte

  private static String legacy(String inputCount, String scriptSigLength, String outputCount) {
    return VERSION + inputCount + PREVOUT + scriptSigLength + SEQUENCE + outputCount + OUTPUT + LOCKTIME;
  }

  private static String segwit(String flag, String inputCount, String witness) {
    return VERSION + "00" + flag + inputCount + PREVOUT + "00" + SEQUENCE + "01" + OUTPUT + witness + LOCKTIME;
  }

  private static Txid txid(String hex) {
    return TransactionParser.txid("penaltyRawTx", Hex.decode("raw", hex));
  }

  @Test
  void theCanonicalEncodingsParseAndASegwitTxidLeavesMarkerFlagAndWitnessOut() {
    Txid legacy = txid(legacy("01", "00", "01"));
    assertEquals(legacy, txid(segwit("01", "01", WITNESS)));
    // 253 is the smallest count that needs the 0xfd prefix: canonical, so accepted.
    String script253 = "51".repeat(253);
    txid(VERSION + "01" + PREVOUT + "fdfd00" + script253 + SEQUENCE + "01" + OUTPUT + LOCKTIME);
  }

  static Stream<Arguments> refusedByBitcoind() {
    return Stream.of(
        Arguments.of("input count 1 as 0xfd 0x0001", legacy("fd0100", "00", "01"), "shortest"),
        Arguments.of("input count 1 as 0xfe", legacy("fe01000000", "00", "01"), "shortest"),
        Arguments.of("script length 0 as 0xff", legacy("01", "ff0000000000000000", "01"), "shortest"),
        Arguments.of("output count 1 as 0xfd 0x0001", legacy("01", "00", "fd0100"), "shortest"),
        Arguments.of("script length 252 as 0xfd 0x00fc",
            VERSION + "01" + PREVOUT + "fdfc00" + "51".repeat(252) + SEQUENCE + "01" + OUTPUT + LOCKTIME, "shortest"),
        Arguments.of("segwit input count 1 as 0xfd 0x0001", segwit("01", "fd0100", WITNESS), "shortest"),
        Arguments.of("segwit witness item count as 0xfd", segwit("01", "01", "fd0100" + "01" + "51"), "shortest"),
        Arguments.of("segwit flag 2", segwit("02", "01", WITNESS), "flag"),
        Arguments.of("segwit flag 3", segwit("03", "01", WITNESS), "flag"),
        Arguments.of("segwit flag 0x80", segwit("80", "01", WITNESS), "flag"),
        Arguments.of("segwit marker with an empty witness", segwit("01", "01", "00"), "witness"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedByBitcoind")
  void nonCanonicalEncodingsAreRefused(String name, String hex, String problem) {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> txid(hex));
    assertEquals("penaltyRawTx", e.field());
    assertTrue(e.getMessage().contains(problem), e.getMessage());
  }

  @Test
  void twoEmptyWitnessesAreAsSuperfluousAsOne() {
    String twoInputs = VERSION + "0001" + "02" + PREVOUT + "00" + SEQUENCE + PREVOUT.replace("01000000", "02000000")
        + "00" + SEQUENCE + "01" + OUTPUT;
    assertThrows(InvalidInputException.class, () -> txid(twoInputs + "00" + "00" + LOCKTIME));
    // One non-empty witness among them makes the marker meaningful.
    txid(twoInputs + "00" + WITNESS + LOCKTIME);
  }

  // -----------------------------------------------------------------------------------------------
  // ASCII digits only

  private static final String TXID = "0a24a98bee36300bd6f71068facf6494963420aeddcfbbed6948a626f434734d";
  /** FULLWIDTH DIGIT ZERO: Character.digit gives it the value 0. */
  private static final char FULLWIDTH_ZERO = '\uff10';
  /** ARABIC-INDIC DIGIT ZERO. */
  private static final char ARABIC_ZERO = '\u0660';
  /** FULLWIDTH LATIN CAPITAL LETTER A: Character.digit(c, 16) gives it the value 10. */
  private static final char FULLWIDTH_A = '\uff21';

  private static String withNonAsciiDigit(String hex, char digit) {
    int at = hex.indexOf('0');
    return hex.substring(0, at) + digit + hex.substring(at + 1);
  }

  static Stream<Arguments> nonAsciiHex() throws Exception {
    String user = "02" + TXID;
    String raw = TrackerCodecTest.penalty()[1];
    Stream.Builder<Arguments> rows = Stream.builder();
    for (char c : new char[] {FULLWIDTH_ZERO, ARABIC_ZERO}) {
      rows.add(Arguments.of("txid", (Executable) () -> Txid.fromHex(withNonAsciiDigit(TXID, c))));
      rows.add(Arguments.of("blockHash", (Executable) () -> BlockHash.fromHex(withNonAsciiDigit(TXID, c))));
      rows.add(Arguments.of("locator", (Executable) () -> Locator.fromHex(withNonAsciiDigit(TXID.substring(0, 32), c))));
      rows.add(Arguments.of("userId", (Executable) () -> UserId.fromHex(withNonAsciiDigit(user, c))));
      rows.add(Arguments.of("uuid", (Executable) () -> TrackerCodecTest.breach().uuid(withNonAsciiDigit(TXID.substring(0, 32), c))));
      rows.add(Arguments.of("penaltyRawTx", (Executable) () -> TrackerCodecTest.breach().penaltyRawTx(withNonAsciiDigit(raw, c))));
      rows.add(Arguments.of("disputeRawTx", (Executable) () -> TrackerCodecTest.breach().disputeRawTx(withNonAsciiDigit(raw, c))));
      rows.add(Arguments.of("seenInBlock", (Executable) () -> TrackerCodecTest.breach().seenInBlock(withNonAsciiDigit(TXID, c))));
    }
    rows.add(Arguments.of("txid", (Executable) () -> Txid.fromHex(FULLWIDTH_A + TXID.substring(1))));
    return rows.build();
  }

  @ParameterizedTest(name = "{0} {index}")
  @MethodSource("nonAsciiHex")
  void hexFieldsTakeAsciiDigitsOnly(String field, Executable parse) {
    InvalidInputException e = assertThrows(InvalidInputException.class, parse);
    assertEquals(field, e.field());
  }

  static Stream<Arguments> nonAsciiRecords() {
    return Stream.of(
        Arguments.of("fullwidth digit in a height", "\"since_height\":5", "\"since_height\":" + FULLWIDTH_ZERO + "5"),
        Arguments.of("Arabic-Indic digit after a height", "\"since_height\":5", "\"since_height\":5" + ARABIC_ZERO),
        Arguments.of("fullwidth digit in a \\u escape", "\"status\":\"pending\"", "\"status\":\"pendin\\u" + FULLWIDTH_ZERO + "067\""),
        Arguments.of("a sign in a \\u escape", "\"status\":\"pending\"", "\"status\":\"pendin\\u+067\""),
        Arguments.of("leading zero in a height", "\"since_height\":5", "\"since_height\":05"),
        Arguments.of("no-break space between members", ",\"status\"", ",\u00a0\"status\""),
        Arguments.of("em space between members", ",\"status\"", ",\u2003\"status\""),
        Arguments.of("raw line feed inside a string", "\"uuid\":\"", "\"uuid\":\"\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nonAsciiRecords")
  void storedRecordsTakeStrictJsonOnly(String name, String good, String bad) throws Exception {
    String encoded = TransactionTracker.of(TrackerCodecTest.breach().build(), OptionalInt.empty(),
        new TrackerStatus.Pending(5)).encode();
    assertTrue(encoded.contains(good), encoded);
    assertEquals(encoded, TransactionTracker.decode(encoded).encode());
    String corrupted = encoded.replace(good, bad);
    assertEquals("tracker", assertThrows(InvalidInputException.class, () -> TransactionTracker.decode(corrupted)).field());
  }

  @Test
  void asciiHexOfEitherCaseStillParses() {
    assertEquals(Txid.fromHex(TXID), Txid.fromHex(TXID.toUpperCase()));
    assertEquals(10, Hex.asciiHexDigit('a'));
    assertEquals(15, Hex.asciiHexDigit('F'));
    assertEquals(-1, Hex.asciiHexDigit(FULLWIDTH_A));
    assertEquals(-1, Hex.asciiHexDigit('g'));
  }
}
