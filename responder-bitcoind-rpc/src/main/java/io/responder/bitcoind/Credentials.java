package io.responder.bitcoind;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * The {@code Authorization} header of every request: fixed for a user and password; read from the
 * cookie file at the first call and read again when bitcoind refuses it (bitcoind writes a new cookie
 * each time it starts). Never shows a secret in {@link #toString()} or in exception messages.
 *
 * <p>Instances are thread-safe: the header is published through a volatile field and the cookie is
 * re-read under the instance's lock.
 */
final class Credentials {
  /** A cookie is "__cookie__:" and 64 hex characters; anything much larger is not a cookie file. */
  private static final long MAX_COOKIE_FILE_BYTES = 4096;

  private final @Nullable Path cookieFile;
  private volatile @Nullable String header;

  private Credentials(@Nullable Path cookieFile, @Nullable String header) {
    this.cookieFile = cookieFile;
    this.header = header;
  }

  static Credentials of(BitcoindConfig config) {
    if (config.cookieFile().isPresent()) {
      return new Credentials(config.cookieFile().get(), null);
    }
    return new Credentials(null, basic(config.user() + ":" + config.password()));
  }

  /**
   * Returns the header to send.
   *
   * @throws BitcoindException.Authentication if the cookie file cannot be read
   */
  String header() {
    String h = header;
    if (h != null) {
      return h;
    }
    synchronized (this) {
      if (header == null) {
        header = readCookie();
      }
      return header;
    }
  }

  /**
   * Called after bitcoind answered 401 to a request sent with {@code rejected}. Reads the cookie
   * again (unless another thread already did) and returns the header to retry with, or null if
   * there is nothing new to try: user and password, or a cookie that has not changed.
   *
   * @throws BitcoindException.Authentication if the cookie file cannot be read
   */
  synchronized @Nullable String refreshAfterRejection(String rejected) {
    if (cookieFile == null) {
      return null;
    }
    if (header != null && !header.equals(rejected)) {
      return header; // another caller already picked up the new cookie
    }
    String fresh = readCookie();
    header = fresh;
    return fresh.equals(rejected) ? null : fresh;
  }

  private String readCookie() {
    byte[] bytes;
    try {
      if (Files.size(cookieFile) > MAX_COOKIE_FILE_BYTES) {
        throw BitcoindErrors.cookieUnreadable(cookieFile, "larger than " + MAX_COOKIE_FILE_BYTES + " bytes", null);
      }
      bytes = Files.readAllBytes(cookieFile);
    } catch (IOException e) {
      // Usually bitcoind is not running: it deletes the cookie when it stops.
      throw BitcoindErrors.cookieUnreadable(cookieFile, e.getClass().getSimpleName(), e);
    }
    String cookie = new String(bytes, StandardCharsets.UTF_8).strip();
    if (cookie.indexOf(':') <= 0) {
      throw BitcoindErrors.cookieUnreadable(cookieFile, "not of the form user:password", null);
    }
    return basic(cookie);
  }

  private static String basic(String userColonPassword) {
    return "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return cookieFile != null ? "Credentials{cookie file " + cookieFile + "}" : "Credentials{user and password}";
  }
}
