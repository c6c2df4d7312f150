package io.responder.bitcoind;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Assertions that credentials never show: in messages, in toString(), anywhere in a cause chain. */
final class Secrets {
  private Secrets() {}

  static void assertAbsent(Throwable t, String... secrets) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      assertAbsent(String.valueOf(c.getMessage()), secrets);
      assertAbsent(c.toString(), secrets);
    }
  }

  static void assertAbsent(String text, String... secrets) {
    for (String s : secrets) {
      assertFalse(text.contains(s), () -> "'" + text + "' shows a secret");
      String encoded = Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
      assertFalse(text.contains(encoded), () -> "'" + text + "' shows a secret, base64-encoded");
    }
  }
}
