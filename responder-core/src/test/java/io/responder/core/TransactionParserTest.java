package io.responder.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.internal.Hex;
import io.responder.core.internal.TransactionParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class TransactionParserTest {
  record Sample(String name, String txid, String raw) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Sample> samples() throws IOException {
    List<Sample> out = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(
        Objects.requireNonNull(TransactionParserTest.class.getResourceAsStream("/regtest-transactions.txt")),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.startsWith("#") && !line.isBlank()) {
          String[] f = line.split(" ");
          out.add(new Sample(f[0], f[1], f[2]));
        }
      }
    }
    return out;
  }

  @ParameterizedTest
  @MethodSource("samples")
  void computesTheTxidTheNodeAnswered(Sample s) {
    assertEquals(Txid.fromHex(s.txid()), TransactionParser.txid("raw", Hex.decode("raw", s.raw())));
  }

  @Test
  void segwitTxidLeavesTheWitnessOut() throws IOException {
    Sample ok = samples().get(0);
    Txid txid = TransactionParser.txid("raw", Hex.decode("raw", ok.raw()));
    // getrawtransaction_mempool.json reports this transaction's wtxid ("hash") as a587957c...
    assertNotEquals(Txid.fromHex("a587957c740af838d242b68786751e9b092df8cbc83a43efa21c9679dec6a223"), txid);
    assertEquals(Txid.fromHex("a24a98bee36300bd6f71068facf6494963420aeddcfbbed6948a626f434734d1"), txid);
  }

  @Test
  void listsTheSpentOutpoints() throws IOException {
    Sample ok = samples().get(0);
    TransactionParser.Parsed parsed = TransactionParser.parse("raw", Hex.decode("raw", ok.raw()));
    // The penalty of the fixtures spends output 1 of the dispute 70a6c486... (see getrawtransaction_mempool.json).
    assertEquals(List.of(new TransactionParser.Outpoint(
        Txid.fromHex("70a6c4869cce1e5b91e2fd0367bfd957dc6d030b1f3e132ab1e41fba22c48f0b"), 1)), parsed.inputs());
  }

  @Test
  void weighsASegwitTransactionAsTheNodeDoes() throws IOException {
    Sample ok = samples().get(0);
    TransactionParser.Parsed parsed = TransactionParser.parse("raw", Hex.decode("raw", ok.raw()));
    // getrawtransaction_back_in_mempool.json: size 191, weight 437, vsize 110, one output of 0.9999 BTC.
    assertEquals(437, parsed.weight());
    assertEquals(110, parsed.vsize());
    assertEquals(List.of(99_990_000L), parsed.outputValues());
  }

  @Test
  void aLegacyTransactionWeighsFourTimesItsSize() throws IOException {
    byte[] raw = Hex.decode("raw", samples().get(3).raw());
    TransactionParser.Parsed parsed = TransactionParser.parse("raw", raw);
    assertEquals(4 * raw.length, parsed.weight());
    assertEquals(raw.length, parsed.vsize());
  }

  @ParameterizedTest
  @MethodSource("samples")
  void everyTruncationIsRejectedNamingTheField(Sample s) {
    byte[] raw = Hex.decode("raw", s.raw());
    for (int len = 0; len < raw.length; len += Math.max(1, raw.length / 40)) {
      byte[] cut = Arrays.copyOf(raw, len);
      InvalidInputException e = assertThrows(InvalidInputException.class, () -> TransactionParser.txid("penaltyRawTx", cut));
      assertEquals("penaltyRawTx", e.field());
    }
  }

  @Test
  void trailingBytesAreRejected() throws IOException {
    byte[] raw = Hex.decode("raw", samples().get(3).raw());
    byte[] longer = Arrays.copyOf(raw, raw.length + 1);
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> TransactionParser.txid("raw", longer));
    assertTrue(e.getMessage().contains("after the end"), e.getMessage());
  }

  @Test
  void theFixturesUndecodableTransactionIsRejected() {
    // sendrawtransaction_decode_failed.json sends "00ff"; bitcoind answers -22.
    assertThrows(InvalidInputException.class, () -> TransactionParser.txid("raw", Hex.decode("raw", "00ff")));
    assertThrows(InvalidInputException.class, () -> TransactionParser.txid("raw", Hex.decode("raw", "0200000000000000000000")));
  }
}
