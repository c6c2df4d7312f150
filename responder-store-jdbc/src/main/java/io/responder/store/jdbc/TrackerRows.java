package io.responder.store.jdbc;

import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.InvalidInputException;
import io.responder.core.TrackerStatus;
import io.responder.core.TransactionTracker;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The mapping between a tracker and its row in {@code responder_tracker}, and the statements that
 * touch it.
 *
 * <p>A row holds the tracker as handed over in {@code body} (the core's versioned encoding, so the
 * core's own decoder validates it: the raw penalty must hash to its txid, and so on) and its current
 * status in the status columns; the status inside {@code body} is the one it had at intake and is
 * superseded by the columns. Reading a row checks that the columns and the body agree and names the
 * tracker in any error. Stateless.
 */
final class TrackerRows {
  static final String TABLE = "responder_tracker";
  private static final String COLUMNS =
      "uuid, penalty_txid, status, since_height, confirmed_height, confirmed_block, body";
  static final String INSERT = "INSERT INTO " + TABLE + " (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)";
  static final String UPDATE_STATUS = "UPDATE " + TABLE
      + " SET status = ?, since_height = ?, confirmed_height = ?, confirmed_block = ? WHERE uuid = ?";
  static final String DELETE = "DELETE FROM " + TABLE + " WHERE uuid = ?";
  static final String SELECT_ALL = "SELECT " + COLUMNS + " FROM " + TABLE;
  static final String SELECT_ONE = SELECT_ALL + " WHERE uuid = ?";
  /** How many uuids one {@link #selectSome} query names: well under every driver's parameter limit. */
  static final int SELECT_SOME_MAX = 500;

  /** The trackers with any of {@code count} uuids, in no order. */
  static String selectSome(int count) {
    StringBuilder sql = new StringBuilder(SELECT_ALL.length() + 20 + 3 * count).append(SELECT_ALL).append(" WHERE uuid IN (");
    for (int i = 0; i < count; i++) {
      sql.append(i == 0 ? "?" : ", ?");
    }
    return sql.append(')').toString();
  }
  /**
   * A page in uuid order through the primary key's index. Both dialects order uuids as unsigned
   * 128-bit numbers (PostgreSQL's {@code uuid} compares its bytes; SQLite compares the lowercase text
   * bytewise), which is {@code TrackerPage.ORDER}.
   */
  static final String SELECT_FIRST_PAGE = SELECT_ALL + " ORDER BY uuid LIMIT ?";
  static final String SELECT_PAGE_AFTER = SELECT_ALL + " WHERE uuid > ? ORDER BY uuid LIMIT ?";
  static final String EXISTS = "SELECT 1 FROM " + TABLE + " WHERE uuid = ?";

  private static final String PENDING = "pending";
  private static final String IN_MEMPOOL = "in_mempool";
  private static final String CONFIRMED = "confirmed";
  /** The canonical text form of a uuid is 36 characters. */
  private static final int UUID_LENGTH = 36;
  /** The longest stored value a message repeats: a txid or block hash in hex. */
  private static final int SHOWN_CHARS = 64;
  private static final Pattern SHOWABLE = Pattern.compile("[0-9A-Za-z_.:-]*");

  private TrackerRows() {}

  /** Binds {@link #INSERT}'s parameters. */
  static void bindInsert(PreparedStatement ps, Dialect dialect, TransactionTracker t) throws SQLException {
    dialect.bindUuid(ps, 1, t.uuid());
    ps.setString(2, t.penaltyTxid().toHex());
    bindStatus(ps, 3, t.status());
    ps.setString(7, t.encode());
  }

  /** Binds {@link #UPDATE_STATUS}'s parameters. */
  static void bindStatusUpdate(PreparedStatement ps, Dialect dialect, UUID uuid, TrackerStatus status)
      throws SQLException {
    bindStatus(ps, 1, status);
    dialect.bindUuid(ps, 5, uuid);
  }

  /** Binds status, since_height, confirmed_height and confirmed_block from {@code first} on. */
  private static void bindStatus(PreparedStatement ps, int first, TrackerStatus status) throws SQLException {
    if (status instanceof TrackerStatus.Confirmed c) {
      ps.setString(first, CONFIRMED);
      ps.setNull(first + 1, Types.INTEGER);
      ps.setInt(first + 2, c.block().height());
      ps.setString(first + 3, c.block().hash().toHex());
      return;
    }
    int since;
    if (status instanceof TrackerStatus.Pending p) {
      ps.setString(first, PENDING);
      since = p.sinceHeight();
    } else {
      ps.setString(first, IN_MEMPOOL);
      since = ((TrackerStatus.InMempool) status).sinceHeight();
    }
    ps.setInt(first + 1, since);
    ps.setNull(first + 2, Types.INTEGER);
    ps.setNull(first + 3, Types.VARCHAR);
  }

  /**
   * Reads the tracker at the result's current row (columns as in {@link #SELECT_ALL}).
   *
   * @throws InvalidInputException naming the tracker's uuid and the column when the row is corrupt
   */
  static TransactionTracker read(ResultSet rs) throws SQLException {
    String uuidText = rs.getString(1);
    UUID uuid = parseUuid(uuidText);
    if (uuid == null) {
      throw corrupt(shown(uuidText) + " (penalty_txid " + shown(rs.getString(2)) + ")", "uuid",
          "the uuid column does not hold a uuid", null);
    }
    String name = uuid.toString();
    String penaltyTxid = rs.getString(2);
    String statusName = rs.getString(3);
    int since = height(rs, 4, name, "since_height");
    int confirmedHeight = height(rs, 5, name, "confirmed_height");
    String confirmedBlock = rs.getString(6);
    String body = rs.getString(7);

    if (body == null) {
      throw corrupt(name, "body", "the body is missing", null);
    }
    TransactionTracker base;
    try {
      base = TransactionTracker.decode(body);
    } catch (InvalidInputException e) {
      String problem = SqlErrors.redact(e.getMessage());
      // The decoder's message names fields of the body; if one of them carried data, so would it.
      throw corrupt(name, "body", "its body does not decode (" + problem + ")",
          problem.equals(e.getMessage()) ? e : null);
    }
    if (!base.uuid().equals(uuid)) {
      throw corrupt(name, "body", "its body is the tracker of another uuid, " + base.uuid(), null);
    }
    if (!base.penaltyTxid().toHex().equals(penaltyTxid)) {
      throw corrupt(name, "penalty_txid", "the penalty_txid column (" + shown(penaltyTxid)
          + ") disagrees with its body (" + base.penaltyTxid() + ")", null);
    }
    TrackerStatus status;
    try {
      status = status(statusName, since, confirmedHeight, confirmedBlock);
    } catch (InvalidInputException e) {
      throw corrupt(name, e.field(), e.getMessage(), e);
    }
    return base.withStatus(status);
  }

  private static TrackerStatus status(String name, int since, int confirmedHeight, String confirmedBlock) {
    if (name == null) {
      throw new InvalidInputException("status", "is missing");
    }
    switch (name) {
      case PENDING:
      case IN_MEMPOOL:
        if (since < 0) {
          throw new InvalidInputException("since_height", "is missing for status " + name);
        }
        if (confirmedHeight >= 0 || confirmedBlock != null) {
          throw new InvalidInputException("confirmed_height", "is set for status " + name);
        }
        return name.equals(PENDING) ? new TrackerStatus.Pending(since) : new TrackerStatus.InMempool(since);
      case CONFIRMED:
        if (confirmedHeight < 0) {
          throw new InvalidInputException("confirmed_height", "is missing for status confirmed");
        }
        if (confirmedBlock == null) {
          throw new InvalidInputException("confirmed_block", "is missing for status confirmed");
        }
        return new TrackerStatus.Confirmed(
            new BlockRef(BlockHash.fromHex("confirmed_block", confirmedBlock), confirmedHeight));
      default:
        throw new InvalidInputException("status", "is " + shown(name) + ", not pending, in_mempool or confirmed");
    }
  }

  /** A height column: -1 for NULL. */
  private static int height(ResultSet rs, int column, String uuid, String name) throws SQLException {
    Object value = rs.getObject(column);
    if (value == null) {
      return -1;
    }
    if (!(value instanceof Number n) || value instanceof Double || value instanceof Float) {
      throw corrupt(uuid, name, "the " + name + " column holds a " + value.getClass().getSimpleName()
          + ", not an integer", null);
    }
    long h = n.longValue();
    if (h < 0 || h > Integer.MAX_VALUE) {
      throw corrupt(uuid, name, "the " + name + " column holds " + h + ", not a block height", null);
    }
    return (int) h;
  }

  /**
   * A stored value for a message: as it is when it is short plain text (a txid, a status, a uuid),
   * otherwise only its length, so that a column holding a raw transaction or a tracker body (a row
   * damaged or written by something else) never lands in an exception.
   */
  static String shown(String value) {
    if (value == null) {
      return "null";
    }
    if (value.length() <= SHOWN_CHARS && SHOWABLE.matcher(value).matches()) {
      return "\"" + value + "\"";
    }
    return "a value of " + value.length() + " characters";
  }

  /** Parses a uuid strictly (the canonical 36-character form only); null if it is not one. */
  static @Nullable UUID parseUuid(@Nullable String text) {
    if (text == null || text.length() != UUID_LENGTH) {
      return null;
    }
    try {
      UUID u = UUID.fromString(text);
      return u.toString().equals(text.toLowerCase(Locale.ROOT)) ? u : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static InvalidInputException corrupt(String uuid, String column, String problem, Throwable cause) {
    InvalidInputException e = new InvalidInputException(TABLE + "." + column,
        "stored tracker " + uuid + " is corrupt: " + problem);
    if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }
}
