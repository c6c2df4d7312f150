package io.responder.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.responder.core.Breach;
import io.responder.core.InvalidInputException;
import io.responder.testkit.Appointment;
import java.util.HexFormat;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** B1.1: bad input gets a clear exception naming the field, and changes no state. */
class BadInputTest {
  static final HexFormat HEX = HexFormat.of();
  final Harness h = new Harness();
  Appointment a;
  Appointment other;
  java.util.Map<java.util.UUID, io.responder.core.TransactionTracker> before;
  long commits;
  int broadcasts;

  @BeforeEach
  void given() {
    Appointment tracked = h.breachedAppointment();
    h.handOver(tracked);
    a = h.breachedAppointment();
    other = Appointment.random(new Random(99));
    before = h.store.snapshot();
    commits = h.store.commitCount();
    broadcasts = h.chain.broadcastCount();
  }

  @AfterEach
  void nothingChanged() {
    assertEquals(before, h.store.snapshot());
    assertEquals(commits, h.store.commitCount());
    assertEquals(broadcasts, h.chain.broadcastCount());
    h.checkInvariants();
  }

  static Stream<Arguments> badBreaches() {
    return Stream.of(
        bad("uuid", "uuid too short", (b, t) -> b.uuid("0a24a98bee36300b")),
        bad("uuid", "uuid not hex", (b, t) -> b.uuid("0a24a98bee36300bd6f71068facf649g")),
        bad("locator", "locator too long", (b, t) -> b.locator(t.a.dispute().txid().toHex())),
        bad("locator", "locator of another dispute", (b, t) -> b.locator(t.other.dispute().txid().locator())),
        bad("disputeTxid", "dispute txid 63 characters", (b, t) -> b.disputeTxid(t.a.dispute().txid().toHex().substring(1))),
        bad("disputeTxid", "dispute txid not hex", (b, t) -> b.disputeTxid("x" + t.a.dispute().txid().toHex().substring(1))),
        bad("penaltyTxid", "penalty txid too long", (b, t) -> b.penaltyTxid(t.a.penalty().txid().toHex() + "00")),
        bad("penaltyTxid", "penalty txid of another transaction", (b, t) -> b.penaltyTxid(t.other.penalty().txid())),
        bad("penaltyRawTx", "raw penalty not hex", (b, t) -> b.penaltyRawTx("zz" + HEX.formatHex(t.a.penalty().raw()))),
        bad("penaltyRawTx", "raw penalty odd length", (b, t) -> b.penaltyRawTx(HEX.formatHex(t.a.penalty().raw()).substring(1))),
        bad("penaltyRawTx", "raw penalty truncated", (b, t) -> b.penaltyRawTx(java.util.Arrays.copyOf(t.a.penalty().raw(), 60))),
        bad("penaltyRawTx", "raw penalty empty", (b, t) -> b.penaltyRawTx(new byte[0])),
        bad("penaltyTxid", "raw penalty of another transaction", (b, t) -> b.penaltyRawTx(t.other.penalty().raw())),
        bad("disputeTxid", "raw dispute of another transaction", (b, t) -> b.disputeRawTx(t.other.dispute().raw())),
        bad("userId", "user id 32 bytes", (b, t) -> b.userId(t.a.userId().toHex().substring(2))),
        bad("userId", "user id not a compressed key", (b, t) -> b.userId("04" + t.a.userId().toHex().substring(2))),
        bad("seenInBlock", "block hash too short", (b, t) -> b.seenInBlock("00ff")),
        bad("seenInBlock", "block missing", (b, t) -> b.seenInBlock((io.responder.core.BlockHash) null)),
        bad("penaltyRawTx", "raw penalty missing", (b, t) -> b.penaltyRawTx((byte[]) null)),
        bad("subscriptionEndHeight", "negative subscription end", (b, t) -> b.subscriptionEndHeight(-1)),
        bad("uuid", "known uuid, other breach", null));
  }

  interface Mutation {
    Breach.Builder apply(Breach.Builder b, BadInputTest t);
  }

  static Arguments bad(String field, String what, Mutation m) {
    return Arguments.of(field, what, m);
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("badBreaches")
  void isRejectedNamingTheField(String field, String what, Mutation mutation) {
    Function<Breach.Builder, Breach.Builder> m = b -> mutation == null
        ? b.uuid(h.store.snapshot().keySet().iterator().next())
        : mutation.apply(b, this);
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> h.responder.handleBreach(m.apply(a.breachBuilder(h.chain.tip().hash())).build()));
    assertEquals(field, e.field(), e.getMessage());
  }

}
