package io.responder.bitcoind;

import java.io.IOException;

/** The answer is larger than {@link BitcoindConfig#maxResponseBytes()}; reading stopped there. */
final class ResponseTooLargeException extends IOException {
  private static final long serialVersionUID = 1L;

  ResponseTooLargeException(long cap) {
    super("answer larger than the cap of " + cap + " bytes");
  }
}
