package io.responder.core;

import java.util.Objects;

/**
 * Input handed to the library is malformed: a hex string of the wrong length, a raw transaction whose
 * txid is not the one claimed, a stored record with a missing field, and so on.
 *
 * <p>The message names the offending field and says what was wrong; {@link #field()} gives the field
 * name alone so callers can map it to their own error responses. An operation that throws this
 * exception has changed no state. Instances are immutable.
 *
 * @since 0.1.0
 */
public final class InvalidInputException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String field;

  /**
   * Creates an exception for {@code field}.
   *
   * @param field the name of the offending field, as the caller knows it (for example {@code penaltyTxid})
   * @param problem what is wrong with it, without the raw value when that could be a transaction or a secret
   */
  public InvalidInputException(String field, String problem) {
    super(Objects.requireNonNull(field, "field") + ": " + Objects.requireNonNull(problem, "problem"));
    this.field = field;
  }

  /**
   * Returns the name of the offending field.
   *
   * @return the field name, never null
   */
  public String field() {
    return field;
  }
}
