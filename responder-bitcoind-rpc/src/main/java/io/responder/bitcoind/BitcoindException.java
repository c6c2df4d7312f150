package io.responder.bitcoind;

/**
 * A call to bitcoind failed. A closed set, typed by what a caller does next:
 *
 * <ul>
 *   <li>{@link Transport}: no complete answer arrived (connection refused, timed out, lost, node
 *       busy). Try again later.
 *   <li>{@link Authentication}: bitcoind refused the credentials (after the cookie was read again,
 *       when a cookie file is used). Fix the configuration, or wait for the node to finish starting.
 *   <li>{@link WarmingUp}: bitcoind is starting (RPC error -28). Try again later.
 *   <li>{@link RpcError}: bitcoind answered the call with an error code and message.
 *   <li>{@link MalformedResponse}: an answer arrived but is not a JSON-RPC answer this client
 *       understands, or is larger than the configured cap.
 * </ul>
 *
 * <p>{@link BitcoindCarrier} and {@link BitcoindBlockSource} never let these escape: they map them
 * to {@code BroadcastResult}, {@code TxStatus} and {@code BlockSourceException} values (a
 * {@code BlockSourceException} keeps the {@code BitcoindException} as its cause). Messages name the
 * call and the endpoint, never credentials, request bodies or raw transactions. Instances are
 * immutable.
 *
 * @since 0.1.0
 */
public abstract sealed class BitcoindException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  BitcoindException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Returns whether the same call may succeed later without anyone changing anything.
   *
   * @return true for transport failures, authentication failures (bitcoind rewrites its cookie when
   *     it restarts) and warm-up; false for RPC errors and malformed answers
   */
  public abstract boolean isTransient();

  /** No complete answer arrived. Always transient. */
  public static final class Transport extends BitcoindException {
    private static final long serialVersionUID = 1L;

    /** What went wrong on the way. */
    public enum Kind {
      /** Nothing listens at the address, or it could not be resolved. */
      CONNECTION_REFUSED,
      /** No connection, or no complete answer, within the configured timeout. */
      TIMEOUT,
      /** The connection was closed or reset before a complete answer arrived. */
      CONNECTION_LOST,
      /** bitcoind (or a proxy in front of it) answered that it cannot serve now: HTTP 502, 503, 504. */
      NODE_BUSY,
      /** The calling thread was interrupted while waiting. */
      INTERRUPTED
    }

    private final Kind kind;

    Transport(Kind kind, String message, Throwable cause) {
      super(message, cause);
      this.kind = kind;
    }

    /**
     * Returns what went wrong.
     *
     * @return the kind of failure
     */
    public Kind kind() {
      return kind;
    }

    @Override
    public boolean isTransient() {
      return true;
    }
  }

  /**
   * bitcoind refused the credentials (HTTP 401) or the call for these credentials (HTTP 403), or the
   * cookie file could not be read. Transient: bitcoind writes a new cookie when it restarts, and a
   * missing cookie file usually means it is not running yet.
   */
  public static final class Authentication extends BitcoindException {
    private static final long serialVersionUID = 1L;

    Authentication(String message, Throwable cause) {
      super(message, cause);
    }

    @Override
    public boolean isTransient() {
      return true;
    }
  }

  /** bitcoind is starting and answers RPC error -28 (RPC_IN_WARMUP). Transient. */
  public static final class WarmingUp extends BitcoindException {
    private static final long serialVersionUID = 1L;

    WarmingUp(String message) {
      super(message, null);
    }

    @Override
    public boolean isTransient() {
      return true;
    }
  }

  /** bitcoind answered with an error object other than warm-up. Not transient by itself. */
  public static final class RpcError extends BitcoindException {
    private static final long serialVersionUID = 1L;

    private final int code;
    private final String rpcMessage;

    RpcError(int code, String rpcMessage, String message) {
      super(message, null);
      this.code = code;
      this.rpcMessage = rpcMessage;
    }

    /**
     * Returns bitcoind's error code, for example -5 (not found) or -26 (rejected by policy).
     *
     * @return the code
     */
    public int code() {
      return code;
    }

    /**
     * Returns bitcoind's error message as it sent it, cut to a few hundred characters and with any
     * control characters replaced by '?' (bitcoind's own messages are shorter and have none).
     *
     * @return the message
     */
    public String rpcMessage() {
      return rpcMessage;
    }

    @Override
    public boolean isTransient() {
      return false;
    }
  }

  /**
   * The answer is not JSON, not a JSON-RPC answer, lacks what the call needs, or is larger than
   * {@link BitcoindConfig#maxResponseBytes()}. Not transient.
   */
  public static final class MalformedResponse extends BitcoindException {
    private static final long serialVersionUID = 1L;

    MalformedResponse(String message) {
      super(message, null);
    }

    @Override
    public boolean isTransient() {
      return false;
    }
  }
}
