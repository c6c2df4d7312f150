package io.responder.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.bitcoind.BitcoindConfig;
import io.responder.examples.BitcoindRegtestExample.Options;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The bitcoind example's options: flags win over the environment, which wins over the defaults. */
class BitcoindRegtestExampleTest {
  @Test
  void defaultsAreARegtestNodeOnThisHostWithItsCookie() {
    Options o = Options.parse(new String[0], Map.of());
    BitcoindConfig config = o.bitcoindConfig();
    assertEquals(URI.create("http://127.0.0.1:18443/"), config.uri());
    assertEquals(Optional.of(Path.of(System.getProperty("user.home"), ".bitcoin", "regtest", ".cookie")),
        config.cookieFile());
    assertTrue(o.storeFile().isPresent());
    assertEquals("info", o.logLevel());
  }

  @Test
  void flagsWinOverTheEnvironment() {
    Options o = Options.parse(new String[] {"--rpc-url", "http://10.0.0.2:18000/wallet/tower", "--store", "memory"},
        Map.of("RESPONDER_RPC_URL", "http://127.0.0.1:1", "RESPONDER_RPC_USER", "tower",
            "RESPONDER_RPC_PASSWORD", "secret", "RESPONDER_STORE", "/elsewhere.db"));
    BitcoindConfig config = o.bitcoindConfig();
    assertEquals(URI.create("http://10.0.0.2:18000/wallet/tower"), config.uri());
    assertEquals(Optional.empty(), config.cookieFile());
    assertEquals(Optional.empty(), o.storeFile());
    assertFalse(o.toString().contains("secret"), o.toString());
  }

  @Test
  void badOptionsAreRefusedWithAReason() {
    assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--rpc-user", "tower"}, Map.of()));
    assertThrows(IllegalArgumentException.class, () -> Options.parse(new String[] {"--nope"}, Map.of()));
    assertThrows(IllegalArgumentException.class,
        () -> Options.parse(new String[] {"--rpc-url", "https://127.0.0.1"}, Map.of()).bitcoindConfig());
  }
}
