package io.responder.bitcoind;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How to reach one bitcoind's JSON-RPC interface: where it listens, how to authenticate, how long to
 * wait, how much to read, and the fee cap handed to {@code sendrawtransaction}.
 *
 * <p>Authentication is either a user and password ({@code -rpcuser}/{@code -rpcpassword} or
 * {@code -rpcauth}) or bitcoind's cookie file ({@code .cookie} in its data directory). The cookie is
 * read at the first call, not when the configuration is built, and read again when bitcoind refuses
 * it, because bitcoind writes a new cookie every time it starts.
 *
 * <p>Instances are immutable and thread-safe. {@link #toString()} never shows the user name, the
 * password or the cookie.
 *
 * @since 0.1.0
 */
public final class BitcoindConfig {
  /** Long enough for a loaded node on the same host or LAN to accept a connection. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /**
   * Long enough for {@code getblock} on a full block of a busy node; short enough that a hung node
   * does not stall the Responder's block processing for long.
   */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
  /**
   * 32 MiB: a {@code getblock} answer with txids only is about 67 bytes per transaction (under 1 MB
   * for the fullest blocks), so a batch of several blocks fits with a wide margin, while a
   * misbehaving endpoint cannot make the client read without bound.
   */
  public static final long DEFAULT_MAX_RESPONSE_BYTES = 32L << 20;

  /** Appended to URL errors, which never quote the host: it may hold a password typed in the wrong field. */
  private static final String NOT_SHOWN = "; the value is not shown, since it may hold credentials";

  private final String host;
  private final int port;
  private final @Nullable String wallet;
  private final @Nullable String user;
  private final @Nullable String password;
  private final @Nullable Path cookieFile;
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final long maxResponseBytes;
  private final BigDecimal maxFeeRate;
  private final JsonRpcVersion jsonRpcVersion;
  private final URI uri;

  private BitcoindConfig(Builder b) {
    this.host = b.host;
    this.port = b.port;
    this.wallet = b.wallet;
    this.user = b.user;
    this.password = b.password;
    this.cookieFile = b.cookieFile;
    this.connectTimeout = b.connectTimeout;
    this.requestTimeout = b.requestTimeout;
    this.maxResponseBytes = b.maxResponseBytes;
    this.maxFeeRate = b.maxFeeRate;
    this.jsonRpcVersion = b.jsonRpcVersion;
    if (user == null && cookieFile == null) {
      throw new IllegalStateException("no authentication configured: call userPassword(..) or cookieFile(..)");
    }
    this.uri = endpoint(host, port, wallet);
  }

  /**
   * Builds the URL and checks that it says what the settings say. Errors never quote the host or the
   * URL: "user:password@node" typed in the host field is a common slip, and the parser's own message
   * (kept out as the cause for that reason) quotes the whole URL.
   */
  private static URI endpoint(String host, int port, String wallet) {
    String path = wallet == null ? "/" : "/wallet/" + wallet;
    URI uri;
    try {
      uri = new URI("http", null, host, port, path, null, null);
    } catch (URISyntaxException e) {
      // getReason() is the parser's fixed description, without the input.
      throw new IllegalArgumentException("host or wallet does not make a valid URL (" + e.getReason() + ")" + NOT_SHOWN);
    }
    // A host holding '@', '/', '?' or '#' can parse as another URL: credentials, another path, no
    // port; one with other characters as an authority that is not a host, which the HTTP client
    // refuses only when the first call is made.
    if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getPort() != port
        || !path.equals(uri.getPath()) || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("host must be a host name or an IP address" + NOT_SHOWN);
    }
    return uri;
  }

  /**
   * Starts a configuration for a node on {@code 127.0.0.1:8332} (mainnet's default RPC port).
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the host name or address.
   *
   * @return the host
   */
  public String host() {
    return host;
  }

  /**
   * Returns the RPC port.
   *
   * @return the port
   */
  public int port() {
    return port;
  }

  /**
   * Returns the wallet whose endpoint ({@code /wallet/<name>}) is called, if one was set. The calls
   * this module makes need no wallet; the option exists for nodes whose access rules require it.
   *
   * @return the wallet name, or empty for the node's root endpoint
   */
  public Optional<String> wallet() {
    return Optional.ofNullable(wallet);
  }

  /**
   * Returns the URL every request is posted to. It never holds credentials.
   *
   * @return {@code http://host:port/} or {@code http://host:port/wallet/<name>}
   */
  public URI uri() {
    return uri;
  }

  /**
   * Returns the cookie file, when cookie authentication is used.
   *
   * @return the cookie file, or empty for user and password
   */
  public Optional<Path> cookieFile() {
    return Optional.ofNullable(cookieFile);
  }

  /**
   * Returns how long to wait for a TCP connection.
   *
   * @return the connect timeout
   */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /**
   * Returns how long one request may take, from sending it to the last byte of the answer.
   *
   * @return the request timeout
   */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /**
   * Returns the largest answer the client reads; a larger one is a malformed response.
   *
   * @return the cap in bytes
   */
  public long maxResponseBytes() {
    return maxResponseBytes;
  }

  /**
   * Returns the {@code maxfeerate} argument of {@code sendrawtransaction}, in BTC per kvB.
   *
   * @return the fee cap; zero (the default) means no cap
   */
  public BigDecimal maxFeeRate() {
    return maxFeeRate;
  }

  /**
   * Returns the JSON-RPC version requests are sent with.
   *
   * @return the version
   */
  public JsonRpcVersion jsonRpcVersion() {
    return jsonRpcVersion;
  }

  String user() {
    return user;
  }

  String password() {
    return password;
  }

  /** Describes the endpoint and options, never the credentials. */
  @Override
  public String toString() {
    return "BitcoindConfig{url=" + uri + ", auth=" + (cookieFile != null ? "cookie file " + cookieFile : "user and password")
        + ", connectTimeout=" + connectTimeout + ", requestTimeout=" + requestTimeout
        + ", maxResponseBytes=" + maxResponseBytes + ", maxFeeRate=" + maxFeeRate.toPlainString()
        + ", jsonRpc=" + jsonRpcVersion + "}";
  }

  /**
   * The JSON-RPC version of requests. bitcoind answers each version by its own rules (1.0: errors
   * with HTTP 500 or 404 and a body; 2.0: HTTP 200 with an {@code error} member); the client reads
   * both whichever it sent.
   */
  public enum JsonRpcVersion {
    /** Legacy JSON-RPC 1.0, which every bitcoind version accepts. The default. */
    V1("1.0"),
    /** JSON-RPC 2.0, accepted by bitcoind 28 and later. */
    V2("2.0");

    private final String wire;

    JsonRpcVersion(String wire) {
      this.wire = wire;
    }

    /**
     * Returns the value of the request's {@code jsonrpc} member.
     *
     * @return {@code "1.0"} or {@code "2.0"}
     */
    public String wire() {
      return wire;
    }
  }

  /**
   * Collects the settings of a {@link BitcoindConfig}. Setters validate at once and throw
   * {@link IllegalArgumentException} or {@link NullPointerException} naming the parameter. Not
   * thread-safe: use one builder per thread.
   */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = 8332;
    private @Nullable String wallet;
    private @Nullable String user;
    private @Nullable String password;
    private @Nullable Path cookieFile;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private long maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
    private BigDecimal maxFeeRate = BigDecimal.ZERO;
    private JsonRpcVersion jsonRpcVersion = JsonRpcVersion.V1;

    private Builder() {}

    /**
     * Sets the host; defaults to {@code 127.0.0.1}. Credentials go to {@link #userPassword} or
     * {@link #cookieFile}, never into the host: a host with {@code @} is refused, without the value
     * in the message.
     *
     * @param host a host name or an IPv4 or IPv6 address
     * @return this builder
     */
    public Builder host(String host) {
      Objects.requireNonNull(host, "host");
      if (host.isBlank()) {
        throw new IllegalArgumentException("host must not be blank");
      }
      if (host.indexOf('@') >= 0) {
        throw new IllegalArgumentException(
            "host must not hold '@': credentials go to userPassword(..) or cookieFile(..)" + NOT_SHOWN);
      }
      this.host = host;
      return this;
    }

    /**
     * Sets the RPC port; defaults to 8332.
     *
     * @param port 1 to 65535
     * @return this builder
     */
    public Builder port(int port) {
      if (port < 1 || port > 65_535) {
        throw new IllegalArgumentException("port must be 1 to 65535, got " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Calls the endpoint of a wallet ({@code /wallet/<name>}) instead of the node's root endpoint.
     *
     * @param wallet the wallet name, or null for the root endpoint
     * @return this builder
     */
    public Builder wallet(@Nullable String wallet) {
      this.wallet = wallet;
      return this;
    }

    /**
     * Authenticates with a user and password, replacing any cookie file set before.
     *
     * @param user the RPC user
     * @param password the RPC password
     * @return this builder
     */
    public Builder userPassword(String user, String password) {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
      if (user.indexOf(':') >= 0) {
        throw new IllegalArgumentException("user must not contain ':' (HTTP basic authentication separates user and password with it)");
      }
      this.user = user;
      this.password = password;
      this.cookieFile = null;
      return this;
    }

    /**
     * Authenticates with bitcoind's cookie file, replacing any user and password set before. The
     * file need not exist yet: it is read at the first call and again whenever bitcoind refuses it.
     *
     * @param cookieFile the {@code .cookie} file in bitcoind's data directory
     * @return this builder
     */
    public Builder cookieFile(Path cookieFile) {
      this.cookieFile = Objects.requireNonNull(cookieFile, "cookieFile");
      this.user = null;
      this.password = null;
      return this;
    }

    /**
     * Sets how long to wait for a connection; defaults to {@link BitcoindConfig#DEFAULT_CONNECT_TIMEOUT}.
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /**
     * Sets how long one request may take, answer included; defaults to
     * {@link BitcoindConfig#DEFAULT_REQUEST_TIMEOUT}.
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive(timeout, "requestTimeout");
      return this;
    }

    /**
     * Sets the largest answer read; defaults to {@link BitcoindConfig#DEFAULT_MAX_RESPONSE_BYTES}.
     *
     * @param bytes positive
     * @return this builder
     */
    public Builder maxResponseBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxResponseBytes must be positive, got " + bytes);
      }
      this.maxResponseBytes = bytes;
      return this;
    }

    /**
     * Sets the {@code maxfeerate} passed to {@code sendrawtransaction}, in BTC per kvB. The default
     * is zero, which tells bitcoind not to cap the fee: a penalty is pre-signed and cannot be
     * re-signed with a lower fee, so a local cap that refuses it only helps the cheater. Set a cap
     * only if you know why.
     *
     * @param btcPerKvB zero or positive
     * @return this builder
     */
    public Builder maxFeeRate(BigDecimal btcPerKvB) {
      Objects.requireNonNull(btcPerKvB, "maxFeeRate");
      if (btcPerKvB.signum() < 0) {
        throw new IllegalArgumentException("maxFeeRate must not be negative, got " + btcPerKvB.toPlainString());
      }
      this.maxFeeRate = btcPerKvB;
      return this;
    }

    /**
     * Sets the JSON-RPC version of requests; defaults to {@link JsonRpcVersion#V1}.
     *
     * @param version the version
     * @return this builder
     */
    public Builder jsonRpcVersion(JsonRpcVersion version) {
      this.jsonRpcVersion = Objects.requireNonNull(version, "version");
      return this;
    }

    /**
     * Validates and builds the configuration.
     *
     * @return the configuration
     * @throws IllegalStateException if no authentication was configured
     * @throws IllegalArgumentException if the host or wallet do not make a valid URL (the message
     *     never quotes them)
     */
    public BitcoindConfig build() {
      return new BitcoindConfig(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + d);
      }
      return d;
    }
  }
}
