package io.responder.store.jdbc;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Makes a driver's exception safe to let out of the library. Drivers put what they were sending
 * into their messages: pgjdbc's batch failure quotes the whole INSERT with its parameters (the
 * tracker's body: raw penalty and dispute, user id), and a PostgreSQL constraint failure's detail
 * lists the failing row. Neither may reach a host's logs, so every exception the store throws carries
 * a scrubbed copy of the driver's exception instead of the original: the same standard
 * {@code java.sql} type, SQLState, vendor code, update counts and stack trace, with every message in
 * it (causes, next exceptions, suppressed ones) redacted. Stateless.
 */
final class SqlErrors {
  /**
   * A tracker body as {@code TransactionTracker.encode} writes it: a flat JSON object starting with
   * its version. The closing brace is optional because PostgreSQL's row detail cuts values short;
   * an unclosed body then takes the rest of the text with it, which errs on the safe side.
   */
  private static final Pattern TRACKER_BODY = Pattern.compile("\\{\\s*\"v\"\\s*:[^{}]*\\}?");
  /**
   * Hex long enough to be a raw transaction, a user id or part of one. 32 digits (16 bytes) is
   * shorter than any of them and longer than any run in a uuid, so uuids, which name trackers, stay;
   * txids and block hashes go too, which costs an operator nothing the store's own message lacks.
   */
  private static final Pattern LONG_HEX = Pattern.compile("[0-9A-Fa-f]{32,}");
  /** What a driver message may add to an operator's picture; longer text is cut. */
  private static final int MAX_REASON_CHARS = 300;
  /** How deep a chain of causes and next exceptions is copied; real chains are a handful long. */
  private static final int MAX_DEPTH = 16;

  private SqlErrors() {}

  /**
   * A store exception for a failed operation: {@code what} (which names the database, the
   * operation and the trackers involved), then the driver's SQLState, vendor code and redacted
   * reason; its cause is the scrubbed copy of {@code cause}.
   */
  static JdbcStoreException failure(String what, Throwable cause) {
    return new JdbcStoreException(what + ": " + reason(cause), scrubbed(cause));
  }

  /**
   * The driver's failure in a line: SQLState, vendor code and the redacted message of the most
   * specific exception (a batch failure's next exception, which holds the server's error).
   */
  static String reason(Throwable t) {
    Throwable specific = t;
    if (t instanceof BatchUpdateException b && b.getNextException() != null) {
      specific = b.getNextException();
    }
    StringBuilder out = new StringBuilder();
    if (specific instanceof SQLException s) {
      out.append("SQLState ").append(s.getSQLState() == null ? "none" : s.getSQLState())
          .append(", vendor code ").append(s.getErrorCode()).append(": ");
    } else {
      out.append(specific.getClass().getSimpleName()).append(": ");
    }
    String message = redact(specific.getMessage());
    if (message.length() > MAX_REASON_CHARS) {
      message = message.substring(0, MAX_REASON_CHARS) + "...";
    }
    return out.append(message).toString();
  }

  /** {@code text} without tracker bodies and long hex; "" for null. */
  static String redact(String text) {
    if (text == null) {
      return "";
    }
    String s = TRACKER_BODY.matcher(text).replaceAll("<tracker body>");
    return LONG_HEX.matcher(s).replaceAll("<hex>");
  }

  /** A copy of {@code t} and everything it links to, with every message redacted. */
  static Throwable scrubbed(Throwable t) {
    return copy(t, new IdentityHashMap<>(), 0);
  }

  private static Throwable copy(Throwable t, Map<Throwable, Throwable> done, int depth) {
    if (t == null) {
      return null;
    }
    Throwable seen = done.get(t);
    if (seen != null) {
      return seen; // chains may be cyclic through suppressed exceptions
    }
    Throwable c = shallowCopy(t);
    done.put(t, c);
    c.setStackTrace(t.getStackTrace());
    if (depth < MAX_DEPTH) {
      Throwable cause = t.getCause();
      if (cause != null && cause != t) {
        c.initCause(copy(cause, done, depth + 1));
      }
      if (t instanceof SQLException s && c instanceof SQLException sc && s.getNextException() != null) {
        Throwable next = copy(s.getNextException(), done, depth + 1);
        if (next instanceof SQLException n) {
          sc.setNextException(n);
        }
      }
      for (Throwable suppressed : t.getSuppressed()) {
        c.addSuppressed(copy(suppressed, done, depth + 1));
      }
    }
    return c;
  }

  /**
   * The same kind of exception with a redacted message and no links: the nearest standard
   * {@code java.sql} type for a driver's exception (drivers' own classes are not this module's to
   * construct), and for anything else a {@link SQLException} naming the original type.
   */
  private static Throwable shallowCopy(Throwable t) {
    String message = redact(t.getMessage());
    if (t instanceof BatchUpdateException b) {
      return new BatchUpdateException(message, b.getSQLState(), b.getErrorCode(), b.getUpdateCounts());
    }
    if (t instanceof SQLException s) {
      Class<?> type = s.getClass();
      while (!type.getName().startsWith("java.sql.")) {
        type = type.getSuperclass();
      }
      try {
        Constructor<?> k = type.getConstructor(String.class, String.class, int.class);
        return (Throwable) k.newInstance(message, s.getSQLState(), s.getErrorCode());
      } catch (NoSuchMethodException | InstantiationException | IllegalAccessException
          | InvocationTargetException e) {
        return new SQLException(message, s.getSQLState(), s.getErrorCode());
      }
    }
    return new SQLException(t.getClass().getName() + (message.isEmpty() ? "" : ": " + message));
  }
}
