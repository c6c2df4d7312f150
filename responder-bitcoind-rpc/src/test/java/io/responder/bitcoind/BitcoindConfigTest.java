package io.responder.bitcoind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BitcoindConfigTest {
  @Test
  void defaultsAreTheLocalMainnetNodeWithNoFeeCap() {
    BitcoindConfig c = BitcoindConfig.builder().userPassword("u", "p").build();
    assertEquals(URI.create("http://127.0.0.1:8332/"), c.uri());
    assertEquals(0, c.maxFeeRate().signum(), "no fee cap: a pre-signed penalty must not be refused locally");
    assertEquals(BitcoindConfig.DEFAULT_CONNECT_TIMEOUT, c.connectTimeout());
    assertEquals(BitcoindConfig.DEFAULT_REQUEST_TIMEOUT, c.requestTimeout());
    assertEquals(BitcoindConfig.DEFAULT_MAX_RESPONSE_BYTES, c.maxResponseBytes());
    assertEquals(BitcoindConfig.JsonRpcVersion.V1, c.jsonRpcVersion());
    assertEquals(Optional.empty(), c.cookieFile());
  }

  @Test
  void walletPathAndIpv6Host() {
    BitcoindConfig c = BitcoindConfig.builder().host("::1").port(18443).wallet("watch tower")
        .cookieFile(Path.of("regtest", ".cookie")).build();
    assertEquals("http://[::1]:18443/wallet/watch%20tower", c.uri().toASCIIString());
    assertEquals(Optional.of("watch tower"), c.wallet());
  }

  @Test
  void requestsGoToTheWalletPath() {
    try (ReplayServer server = new ReplayServer()) {
      server.expect("getblockcount");
      server.client(server.config().wallet("tower").build()).call("getblockcount", JsonRpcClient.Params.NONE, Answers.INT);
      assertEquals(java.util.List.of("/wallet/tower"), server.paths());
      server.verify();
    }
  }

  @Test
  void lastAuthenticationWins() {
    BitcoindConfig cookie = BitcoindConfig.builder().userPassword("u", "p").cookieFile(Path.of(".cookie")).build();
    assertEquals(Optional.of(Path.of(".cookie")), cookie.cookieFile());
    BitcoindConfig password = BitcoindConfig.builder().cookieFile(Path.of(".cookie")).userPassword("u", "p").build();
    assertEquals(Optional.empty(), password.cookieFile());
  }

  @Test
  void toStringNeverShowsCredentials() {
    BitcoindConfig c = BitcoindConfig.builder().userPassword("alice", "hunter2").build();
    Secrets.assertAbsent(c.toString(), "alice", "hunter2", "alice:hunter2");
    assertTrue(c.toString().contains("127.0.0.1:8332"));
  }

  static final String SECRET = "hunter2-Secret";

  /** Slips where a password ends up in the host field, and hosts that are not hosts at all. */
  @ParameterizedTest
  @ValueSource(strings = {
      "alice:" + SECRET + "@node.example",     // user:password@host, the classic slip
      "alice:" + SECRET + "@[::1]",
      SECRET + "@127.0.0.1",
      "alice:" + SECRET + " @node.example",    // with a space the URL parser fails and quotes the URL
      "node.example/" + SECRET,                 // parses as a path, without the port
      "node.example?" + SECRET,
      "node.example#" + SECRET,
      "node " + SECRET,
      "node_" + SECRET,                          // parses as an authority without a host
      "[" + SECRET + "]"})
  void aHostThatIsNotAHostIsRefusedWithoutEchoingIt(String host) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BitcoindConfig.builder().host(host).port(18443).userPassword("u", "p").build());
    Secrets.assertAbsent(e, SECRET);
    assertTrue(e.getMessage().startsWith("host"), e.getMessage());
  }

  @Test
  void hostNamesAndAddressesStillMakeTheirUrl() {
    for (String host : new String[] {"localhost", "bitcoind-1.internal", "10.0.0.7", "::1", "[::1]", "fe80::1:2"}) {
      BitcoindConfig c = BitcoindConfig.builder().host(host).port(18443).userPassword("u", "p").build();
      assertEquals(18443, c.uri().getPort(), host);
      assertEquals(null, c.uri().getUserInfo(), host);
      assertEquals("/", c.uri().getPath(), host);
    }
  }

  @Test
  void badSettingsAreRefusedAtOnce() {
    assertThrows(IllegalStateException.class, () -> BitcoindConfig.builder().build());
    assertThrows(IllegalArgumentException.class, () -> BitcoindConfig.builder().port(0));
    assertThrows(IllegalArgumentException.class, () -> BitcoindConfig.builder().port(65_536));
    assertThrows(IllegalArgumentException.class, () -> BitcoindConfig.builder().host(" "));
    assertThrows(IllegalArgumentException.class, () -> BitcoindConfig.builder().userPassword("a:b", "p"));
    assertThrows(IllegalArgumentException.class, () -> BitcoindConfig.builder().requestTimeout(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> BitcoindConfig.builder().connectTimeout(Duration.ofSeconds(-1)));
    assertThrows(IllegalArgumentException.class, () -> BitcoindConfig.builder().maxResponseBytes(0));
    assertThrows(IllegalArgumentException.class, () -> BitcoindConfig.builder().maxFeeRate(new BigDecimal("-0.1")));
    assertThrows(NullPointerException.class, () -> BitcoindConfig.builder().cookieFile(null));
    assertFalse(BitcoindConfig.builder().maxFeeRate(new BigDecimal("0.10")).userPassword("u", "p").build()
        .maxFeeRate().signum() == 0);
  }
}
