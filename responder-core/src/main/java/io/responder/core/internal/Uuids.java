package io.responder.core.internal;

import io.responder.core.InvalidInputException;
import java.util.UUID;

/** Parses appointment uuids in either common form. Not published API. */
public final class Uuids {
  private Uuids() {}

  /**
   * Parses a uuid written as 32 hex characters (as The Eye of Satoshi writes them) or in the
   * canonical dashed form.
   *
   * @param field the field name for errors
   * @param text the uuid
   * @return the uuid
   */
  public static UUID parse(String field, String text) {
    if (text == null) {
      throw new InvalidInputException(field, "must not be null");
    }
    String hex;
    if (text.length() == 36) {
      if (text.charAt(8) != '-' || text.charAt(13) != '-' || text.charAt(18) != '-' || text.charAt(23) != '-') {
        throw new InvalidInputException(field, "must be 32 hex characters or a dashed uuid");
      }
      hex = text.replace("-", "");
    } else {
      hex = text;
    }
    if (hex.length() != 32) {
      throw new InvalidInputException(field, "must be 32 hex characters or a dashed uuid, got " + text.length() + " characters");
    }
    long[] words = Hex.parseWords(field, hex, 2);
    return new UUID(words[0], words[1]);
  }
}
