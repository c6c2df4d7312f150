package io.responder.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.internal.Uuids;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ValuesTest {
  static final String TXID = "a24a98bee36300bd6f71068facf6494963420aeddcfbbed6948a626f434734d1";

  @Test
  void txidRoundTripsThroughHexAndBytes() {
    Txid t = Txid.fromHex(TXID);
    assertEquals(TXID, t.toHex());
    assertEquals(t, Txid.fromDisplayBytes(t.toDisplayBytes()));
    assertEquals(t, Txid.fromHex(TXID.toUpperCase()));
    assertEquals(t.hashCode(), Txid.fromHex(TXID).hashCode());
    byte[] internal = t.toDisplayBytes();
    for (int i = 0; i < 16; i++) {
      byte b = internal[i];
      internal[i] = internal[31 - i];
      internal[31 - i] = b;
    }
    assertEquals(t, Txid.fromInternalBytes(internal));
  }

  @Test
  void aTxidIsItsFourWordsInDisplayOrder() {
    Txid t = Txid.fromHex(TXID);
    assertEquals(0xa24a98bee36300bdL, t.word(0));
    assertEquals(0x6f71068facf64949L, t.word(1));
    assertEquals(0x63420aeddcfbbed6L, t.word(2));
    assertEquals(0x948a626f434734d1L, t.word(3));
    Txid back = Txid.fromWords(t.word(0), t.word(1), t.word(2), t.word(3));
    assertEquals(t, back);
    assertEquals(t.hashCode(), back.hashCode());
    assertEquals(TXID, back.toHex());
    assertThrows(IndexOutOfBoundsException.class, () -> t.word(4));
    assertThrows(IndexOutOfBoundsException.class, () -> t.word(-1));
    assertEquals(BlockHash.fromHex(TXID).word(2), t.word(2));
  }

  @Test
  void bytesAreCopiedInAndOut() {
    byte[] bytes = Txid.fromHex(TXID).toDisplayBytes();
    Txid t = Txid.fromDisplayBytes(bytes);
    bytes[0] ^= 1;
    assertEquals(TXID, t.toHex());
    assertNotSame(t.toDisplayBytes(), t.toDisplayBytes());
  }

  @Test
  void aTxidAndABlockHashWithTheSameBytesDiffer() {
    assertNotEquals(Txid.fromHex(TXID), BlockHash.fromHex(TXID));
  }

  @Test
  void txidsAndBlockHashesSortAsTheirHexStrings() {
    // High bits set in every word: a signed comparison of the words would sort these the other way.
    List<String> hexes = List.of(
        "0000000000000000000000000000000000000000000000000000000000000001",
        "00000000000000000000000000000000000000000000000000000000000000ff",
        "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "8000000000000000000000000000000000000000000000000000000000000000",
        "8000000000000000800000000000000000000000000000000000000000000000",
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff00",
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
    List<String> reversed = new ArrayList<>(hexes);
    Collections.reverse(reversed);
    assertEquals(hexes, reversed.stream().map(Txid::fromHex).sorted().map(Txid::toHex).toList());
    assertEquals(hexes, reversed.stream().map(BlockHash::fromHex).sorted().map(BlockHash::toHex).toList());
    assertEquals(0, Txid.fromHex(TXID).compareTo(Txid.fromHex(TXID.toUpperCase())));
    assertTrue(Txid.fromHex(hexes.get(3)).compareTo(Txid.fromHex(hexes.get(2))) > 0);
  }

  @Test
  void locatorIsTheFirstHalfOfTheDisputeTxid() {
    assertEquals(Locator.fromHex(TXID.substring(0, 32)), Txid.fromHex(TXID).locator());
    assertEquals(TXID.substring(0, 32), Txid.fromHex(TXID).locator().toHex());
  }

  static Stream<Arguments> badHex() {
    Function<String, Object> txid = Txid::fromHex;
    Function<String, Object> block = BlockHash::fromHex;
    Function<String, Object> locator = Locator::fromHex;
    Function<String, Object> user = UserId::fromHex;
    String user66 = "02" + TXID;
    return Stream.of(
        Arguments.of("txid", txid, TXID.substring(1)),
        Arguments.of("txid", txid, TXID + "00"),
        Arguments.of("txid", txid, "g" + TXID.substring(1)),
        // Digits of other scripts are digits to Character.digit, not hex to bitcoind.
        Arguments.of("txid", txid, "\u0663" + TXID.substring(1)),
        Arguments.of("locator", locator, TXID.substring(0, 31) + "\uff41"),
        Arguments.of("txid", txid, ""),
        Arguments.of("txid", txid, null),
        Arguments.of("blockHash", block, TXID.substring(2)),
        Arguments.of("blockHash", block, TXID.replace('a', 'x')),
        Arguments.of("locator", locator, TXID),
        Arguments.of("locator", locator, TXID.substring(0, 31)),
        Arguments.of("locator", locator, " " + TXID.substring(1, 32)),
        Arguments.of("userId", user, TXID),
        Arguments.of("userId", user, "04" + TXID),
        Arguments.of("userId", user, user66.substring(0, 65) + "z"),
        Arguments.of("userId", user, user66 + "00"));
  }

  @ParameterizedTest
  @MethodSource("badHex")
  void malformedHexIsRejectedNamingTheField(String field, Function<String, Object> parse, String input) {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> parse.apply(input));
    assertEquals(field, e.field());
  }

  @Test
  void aBadHexCharacterIsNamedByItsPosition() {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> Txid.fromHex(TXID.substring(0, 10) + "\u0663" + TXID.substring(11)));
    assertEquals("txid", e.field());
    assertTrue(e.getMessage().contains("bad character at position 10"), e.getMessage());
    InvalidInputException raw = assertThrows(InvalidInputException.class,
        () -> Breach.builder().penaltyRawTx("00" + "\uff10" + "0"));
    assertEquals("penaltyRawTx", raw.field());
    assertTrue(raw.getMessage().contains("bad character at position 2"), raw.getMessage());
    InvalidInputException secondDigit = assertThrows(InvalidInputException.class,
        () -> Breach.builder().penaltyRawTx("000g"));
    assertTrue(secondDigit.getMessage().contains("bad character at position 3"), secondDigit.getMessage());
  }

  @Test
  void userIdKeepsItsBytes() {
    UserId u = UserId.fromHex("03" + TXID);
    assertEquals("03" + TXID, u.toHex());
    assertArrayEquals(u.toBytes(), UserId.fromHex("03" + TXID.toUpperCase()).toBytes());
    assertEquals(u, UserId.fromHex("03" + TXID));
  }

  @Test
  void uuidsParseInBothForms() {
    UUID u = UUID.fromString("0a24a98b-ee36-300b-d6f7-1068facf6494");
    assertEquals(u, Uuids.parse("uuid", "0a24a98bee36300bd6f71068facf6494"));
    assertEquals(u, Uuids.parse("uuid", u.toString()));
    assertEquals("uuid", assertThrows(InvalidInputException.class, () -> Uuids.parse("uuid", "0a24a98b")).field());
    assertThrows(InvalidInputException.class, () -> Uuids.parse("uuid", "0a24a98b-ee36-300b-d6f71068facf64944"));
    assertThrows(InvalidInputException.class, () -> Uuids.parse("uuid", "0a24a98bee36300bd6f71068facf649z"));
  }

  @Test
  void blocksValidateTheirShape() {
    BlockHash a = BlockHash.fromHex(TXID);
    BlockHash b = BlockHash.fromHex(TXID.replace('a', 'b'));
    assertThrows(InvalidInputException.class, () -> new BlockRef(a, -1));
    assertThrows(InvalidInputException.class, () -> new Block(a, b, 0, java.util.List.of()));
    assertThrows(InvalidInputException.class, () -> new Block(a, a, 5, java.util.List.of()));
    assertThrows(NullPointerException.class, () -> new Block(a, b, 5, java.util.Arrays.asList((Txid) null)));
    Block block = new Block(a, b, 5, java.util.List.of(Txid.fromHex(TXID)));
    assertEquals(new BlockRef(b, 4), block.parent());
    assertEquals(new BlockRef(a, 5), block.ref());
  }

  @Test
  void configValidatesItsNumbers() {
    assertEquals(new ResponderConfig(100, 6, 144), ResponderConfig.defaults());
    assertEquals("reorgWindow", assertThrows(InvalidInputException.class, () -> new ResponderConfig(100, 6, 99)).field());
    assertEquals("irrevocableDepth", assertThrows(InvalidInputException.class, () -> new ResponderConfig(0, 6, 144)).field());
    assertEquals("rebroadcastAfterMissed", assertThrows(InvalidInputException.class, () -> new ResponderConfig(100, 0, 144)).field());
    assertEquals(200, ResponderConfig.defaults().withIrrevocableDepth(200).reorgWindow());
  }
}
