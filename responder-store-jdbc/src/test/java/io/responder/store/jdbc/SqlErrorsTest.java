package io.responder.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.TrackerStatus;
import io.responder.core.TransactionTracker;
import io.responder.testkit.Appointment;
import java.io.IOException;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The scrubbed copy of a driver's failure keeps everything an operator or a retry policy reads
 * (standard types, SQLState, vendor code, update counts, stack traces, the shape of the chain) and
 * none of the data drivers quote, wherever in the chain it sits. The real drivers' failures are in
 * {@link ExceptionPrivacyTest}; this covers the links they do not produce on demand.
 */
class SqlErrorsTest {
  private final Random rng = new Random(1111);

  @Test
  void everyLinkIsCopiedWithItsCodesAndWithoutTheData() {
    TransactionTracker t = TransactionTracker.of(Appointment.random(rng).breach(new BlockRef(block(), 100)),
        OptionalInt.of(100), new TrackerStatus.Pending(100));
    String raw = HexFormat.of().formatHex(t.penaltyRawTx());
    SQLException server = new SQLException("ERROR: boom\n  Detail: Failing row contains (" + t.encode() + ")",
        "23514", 7);
    BatchUpdateException batch = new BatchUpdateException("Batch entry 0 INSERT ... VALUES ('" + t.encode()
        + "') was aborted", "23514", 7, new int[] {1, 2}, server);
    batch.setNextException(server);
    batch.addSuppressed(new SQLTransientConnectionException("rollback of " + raw + " failed", "08006", 3));
    server.initCause(new IOException("socket said " + raw));

    JdbcStoreException e = SqlErrors.failure("adding tracker " + t.uuid(), batch);
    List<Throwable> all = Secrets.of(List.of(t)).assertNotIn(e);

    assertTrue(e.getMessage().startsWith("adding tracker " + t.uuid() + ": SQLState 23514, vendor code 7: ERROR: boom"),
        e.getMessage());
    BatchUpdateException copy = assertInstanceOf(BatchUpdateException.class, e.getCause());
    assertEquals("23514", copy.getSQLState());
    assertEquals(7, copy.getErrorCode());
    assertArrayEquals(new int[] {1, 2}, copy.getUpdateCounts());
    assertArrayEquals(batch.getStackTrace(), copy.getStackTrace());
    assertTrue(copy.getMessage().contains("<tracker body>"), copy.getMessage());
    SQLException next = copy.getNextException();
    assertEquals("23514", next.getSQLState());
    assertTrue(next == copy.getCause(), "the next exception and the cause stay one exception");
    assertTrue(next.getCause().getMessage().startsWith(IOException.class.getName() + ": socket said <hex>"),
        next.getCause().getMessage());
    SQLTransientConnectionException suppressed =
        assertInstanceOf(SQLTransientConnectionException.class, copy.getSuppressed()[0]);
    assertEquals("08006", suppressed.getSQLState());
    assertEquals(3, suppressed.getErrorCode());
    assertEquals(5, all.size(), all::toString);
  }

  @Test
  void uuidsAndShortHexStayTheLongHexGoes() {
    String text = "tracker 7d796ffb-2844-c710-a6be-303ed6a0397e key deadbeef, raw "
        + "0200000001aabbccddeeff00112233445566778899 end";
    assertEquals("tracker 7d796ffb-2844-c710-a6be-303ed6a0397e key deadbeef, raw <hex> end", SqlErrors.redact(text));
    assertEquals("value ('<tracker body>')", SqlErrors.redact("value ('{\"v\":1,\"uuid\":\"x\",\"status\":\"pending\"}')"));
    assertEquals("row (<tracker body>", SqlErrors.redact("row ({\"v\":1,\"uuid\":\"x\",\"locator\":\"..."));
  }

  private BlockHash block() {
    byte[] b = new byte[32];
    rng.nextBytes(b);
    return BlockHash.fromDisplayBytes(b);
  }
}
