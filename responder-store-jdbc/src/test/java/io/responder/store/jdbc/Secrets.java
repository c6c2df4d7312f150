package io.responder.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.TransactionTracker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What must never leave the library in an exception: the trackers' raw penalties and disputes, user
 * ids and bodies, in whole or in part. {@link #assertNotIn} looks through everything an exception
 * links to (causes, suppressed exceptions, a {@link SQLException}'s next exceptions) and its printed
 * stack trace, for any stretch of {@value #GRAM} characters of a secret: 12 bytes, shorter than a
 * useful piece of a transaction and longer than any run of hex digits in a uuid.
 */
final class Secrets {
  private static final int GRAM = 24;
  private final Set<String> grams = new HashSet<>();

  private Secrets() {}

  static Secrets of(Collection<TransactionTracker> trackers) {
    Secrets s = new Secrets();
    for (TransactionTracker t : trackers) {
      s.add(HexFormat.of().formatHex(t.penaltyRawTx()));
      t.disputeRawTx().ifPresent(d -> s.add(HexFormat.of().formatHex(d)));
      s.add(t.userId().toHex());
    }
    return s;
  }

  private void add(String secret) {
    String lower = secret.toLowerCase(Locale.ROOT);
    for (int i = 0; i + GRAM <= lower.length(); i++) {
      grams.add(lower.substring(i, i + GRAM));
    }
  }

  /**
   * Fails if any text of {@code failure} holds a piece of a secret.
   *
   * @return every throwable looked at, for further checks
   */
  List<Throwable> assertNotIn(Throwable failure) {
    List<Throwable> all = linked(failure);
    StringWriter trace = new StringWriter();
    failure.printStackTrace(new PrintWriter(trace));
    List<String> texts = new ArrayList<>();
    texts.add(trace.toString());
    for (Throwable t : all) {
      texts.add(String.valueOf(t.getMessage()));
      texts.add(String.valueOf(t.getLocalizedMessage()));
      texts.add(t.toString());
    }
    for (String text : texts) {
      String lower = text.toLowerCase(Locale.ROOT);
      for (int i = 0; i + GRAM <= lower.length(); i++) {
        String piece = lower.substring(i, i + GRAM);
        assertTrue(!grams.contains(piece), () -> "a raw transaction or user id leaked (\"" + piece + "\") in: " + text);
      }
    }
    return all;
  }

  /** The throwable and everything it links to, each once. */
  static List<Throwable> linked(Throwable root) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Throwable> out = new ArrayList<>();
    List<Throwable> todo = new ArrayList<>(List.of(root));
    while (!todo.isEmpty()) {
      Throwable t = todo.remove(todo.size() - 1);
      if (t == null || !seen.add(t)) {
        continue;
      }
      out.add(t);
      todo.add(t.getCause());
      todo.addAll(List.of(t.getSuppressed()));
      if (t instanceof SQLException s) {
        todo.add(s.getNextException());
      }
    }
    return out;
  }
}
