package io.responder.bitcoind;

import java.io.IOException;

/**
 * An answer that is valid JSON but not what the call expects (a missing field, a wrong type, a batch
 * answered out of order). Thrown by readers; {@link BitcoindErrors} turns it into a
 * {@link BitcoindException.MalformedResponse}. Messages never quote the body.
 */
final class BadAnswerException extends IOException {
  private static final long serialVersionUID = 1L;

  BadAnswerException(String message) {
    super(message);
  }
}
