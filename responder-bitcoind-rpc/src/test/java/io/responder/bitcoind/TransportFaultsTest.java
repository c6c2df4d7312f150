package io.responder.bitcoind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import io.responder.bitcoind.BitcoindException.Transport.Kind;
import io.responder.bitcoind.JsonRpcClient.Params;
import io.responder.core.BlockSourceException;
import io.responder.core.BroadcastResult;
import io.responder.core.TxStatus;
import io.responder.core.Txid;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each way the network and the node can fail, over real loopback HTTP, and the typed outcome it
 * yields: in the client, in the carrier and in the block source. Stalls are made with latches that
 * the test releases, never with sleeps; timeouts are short.
 */
class TransportFaultsTest {
  static final String PASSWORD = "s3cret-rpc-password";
  static final Duration SHORT = Duration.ofMillis(200);
  static final byte[] ANSWER_110 = "{\"result\":110,\"error\":null,\"id\":1}\n".getBytes(StandardCharsets.US_ASCII);
  static final Txid ANY_TXID = Txid.fromHex("a24a98bee36300bd6f71068facf6494963420aeddcfbbed6948a626f434734d1");

  private final CountDownLatch release = new CountDownLatch(1);
  private final List<TestHttpServer> servers = new ArrayList<>();

  @AfterEach
  void releaseAndStop() {
    release.countDown();
    servers.forEach(TestHttpServer::close);
  }

  private TestHttpServer serve(TestHttpServer.Handler handler) {
    TestHttpServer s = new TestHttpServer(handler);
    servers.add(s);
    return s;
  }

  private static BitcoindConfig.Builder withPassword(TestHttpServer s) {
    return s.config().userPassword("watchtower", PASSWORD).requestTimeout(SHORT);
  }

  private static BitcoindException getBlockCountFails(BitcoindConfig config) {
    BitcoindException e = assertThrows(BitcoindException.class,
        () -> new JsonRpcClient(config).call("getblockcount", Params.NONE, Answers.INT));
    Secrets.assertAbsent(e, PASSWORD);
    return e;
  }

  /** The carrier, the status query and the block source all report a node fault as transient. */
  private static void portsSeeANodeFault(BitcoindConfig config) {
    BitcoindRpc rpc = BitcoindRpc.create(config);
    BroadcastResult r = rpc.carrier().broadcast(ANY_TXID, new byte[] {1, 2, 3});
    assertInstanceOf(BroadcastResult.NodeUnavailable.class, r);
    Secrets.assertAbsent(r.toString(), PASSWORD);
    assertInstanceOf(TxStatus.Unknown.class, rpc.carrier().status(ANY_TXID, Optional.empty()));
    BlockSourceException e = assertThrows(BlockSourceException.class, () -> rpc.blockSource().bestBlock());
    assertTrue(e.isTransient());
    Secrets.assertAbsent(e, PASSWORD);
  }

  private static BitcoindException.Transport transport(BitcoindException e, Kind kind) {
    BitcoindException.Transport t = assertInstanceOf(BitcoindException.Transport.class, e);
    assertEquals(kind, t.kind(), t.getMessage());
    assertTrue(t.isTransient());
    return t;
  }

  @Test
  void connectionRefused() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    BitcoindConfig config = BitcoindConfig.builder().host("127.0.0.1").port(port)
        .userPassword("watchtower", PASSWORD).requestTimeout(SHORT).build();

    transport(getBlockCountFails(config), Kind.CONNECTION_REFUSED);
    portsSeeANodeFault(config);
  }

  @Test
  void serverThatNeverAnswersTimesOut() {
    TestHttpServer s = serve(exchange -> release.await());
    transport(getBlockCountFails(withPassword(s).build()), Kind.TIMEOUT);
    portsSeeANodeFault(withPassword(s).build());
  }

  @Test
  void bodyThatStallsHalfwayTimesOut() {
    TestHttpServer s = serve(exchange -> {
      exchange.sendResponseHeaders(200, ANSWER_110.length);
      OutputStream out = exchange.getResponseBody();
      out.write(ANSWER_110, 0, 10);
      out.flush();
      release.await();
    });
    transport(getBlockCountFails(withPassword(s).build()), Kind.TIMEOUT);
  }

  @Test
  void bodyCutInTheMiddleIsALostConnection() {
    TestHttpServer s = serve(exchange -> {
      exchange.sendResponseHeaders(200, 1000); // promises 1000 bytes, sends 10, then closes
      OutputStream out = exchange.getResponseBody();
      out.write(ANSWER_110, 0, 10);
      out.flush();
    }); // the server then closes the exchange, and with it the connection
    transport(getBlockCountFails(withPassword(s).build()), Kind.CONNECTION_LOST);
    portsSeeANodeFault(withPassword(s).build());
  }

  @Test
  void connectionClosedWithoutAnAnswer() {
    TestHttpServer s = serve(exchange -> exchange.getRequestBody().readAllBytes());
    transport(getBlockCountFails(withPassword(s).build()), Kind.CONNECTION_LOST);
    portsSeeANodeFault(withPassword(s).build());
  }

  @Test
  void serviceUnavailableIsABusyNode() {
    TestHttpServer s = serve(exchange -> TestHttpServer.respond(exchange, 503, "text/plain",
        "Work queue depth exceeded".getBytes(StandardCharsets.US_ASCII)));
    transport(getBlockCountFails(withPassword(s).build()), Kind.NODE_BUSY);
    portsSeeANodeFault(withPassword(s).build());
  }

  @Test
  void warmingUpIsTransient() {
    TestHttpServer s = serve(exchange -> TestHttpServer.respond(exchange, 500, "application/json",
        "{\"result\":null,\"error\":{\"code\":-28,\"message\":\"Loading P2P addresses\u2026\"},\"id\":1}\n"
            .getBytes(StandardCharsets.UTF_8)));
    BitcoindException e = getBlockCountFails(withPassword(s).build());
    assertInstanceOf(BitcoindException.WarmingUp.class, e);
    assertTrue(e.getMessage().contains("Loading P2P addresses\u2026"), e.getMessage());
    portsSeeANodeFault(withPassword(s).build());
  }

  @Test
  void http500WithABodyThatIsNotJsonIsMalformed() {
    TestHttpServer s = serve(exchange -> TestHttpServer.respond(exchange, 500, "text/html",
        "<html><body>Internal Server Error</body></html>".getBytes(StandardCharsets.US_ASCII)));
    BitcoindException e = getBlockCountFails(withPassword(s).build());
    assertInstanceOf(BitcoindException.MalformedResponse.class, e);
    assertFalse(e.isTransient());
    assertTrue(e.getMessage().contains("HTTP 500"), e.getMessage());

    BitcoindRpc rpc = BitcoindRpc.create(withPassword(s).build());
    assertInstanceOf(BroadcastResult.NodeUnavailable.class, rpc.carrier().broadcast(ANY_TXID, new byte[] {1}));
    assertFalse(assertThrows(BlockSourceException.class, () -> rpc.blockSource().bestBlock()).isTransient());
  }

  @Test
  void declaredBodyOverTheCapIsMalformed() {
    byte[] big = ("{\"result\":\"" + "a".repeat(4096) + "\",\"error\":null,\"id\":1}").getBytes(StandardCharsets.US_ASCII);
    TestHttpServer s = serve(exchange -> TestHttpServer.respond(exchange, 200, "application/json", big));
    BitcoindException e = getBlockCountFails(withPassword(s).maxResponseBytes(1024).build());
    assertInstanceOf(BitcoindException.MalformedResponse.class, e);
    assertTrue(e.getMessage().contains("cap of 1024 bytes"), e.getMessage());
  }

  @Test
  void chunkedBodyOverTheCapIsMalformedWhileStreaming() {
    TestHttpServer s = serve(exchange -> {
      exchange.sendResponseHeaders(200, 0); // chunked: the size is not known in advance
      try (OutputStream out = exchange.getResponseBody()) {
        out.write("{\"result\":\"".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < 64; i++) {
          out.write("b".repeat(1024).getBytes(StandardCharsets.US_ASCII));
          out.flush();
        }
        out.write("\",\"error\":null,\"id\":1}".getBytes(StandardCharsets.US_ASCII));
      }
    });
    // A call whose answer is a string, read whole: with an integer reader the parser could refuse the
    // string's first token before the body reached the cap, depending on how the chunks arrived.
    BitcoindConfig config = withPassword(s).maxResponseBytes(8 * 1024).build();
    BitcoindException e = assertThrows(BitcoindException.class,
        () -> new JsonRpcClient(config).call("getbestblockhash", Params.NONE, Answers.STRING));
    Secrets.assertAbsent(e, PASSWORD);
    assertInstanceOf(BitcoindException.MalformedResponse.class, e);
    assertTrue(e.getMessage().contains("cap of 8192 bytes"), e.getMessage());
  }

  // -----------------------------------------------------------------------------------------------
  // Authentication

  /** A node that accepts only the current cookie, like bitcoind after a restart. */
  private TestHttpServer cookieNode(AtomicReference<String> cookie, List<String> seen) {
    return serve(exchange -> {
      String auth = exchange.getRequestHeaders().getFirst("Authorization");
      synchronized (seen) {
        seen.add(auth);
      }
      String expected = "Basic " + Base64.getEncoder().encodeToString(cookie.get().getBytes(StandardCharsets.UTF_8));
      if (!expected.equals(auth)) {
        exchange.getRequestBody().readAllBytes();
        TestHttpServer.respond(exchange, 401, "text/html; charset=ISO-8859-1", new byte[0]);
        return;
      }
      answer(exchange);
    });
  }

  private static void answer(HttpExchange exchange) throws IOException {
    exchange.getRequestBody().readAllBytes();
    TestHttpServer.respond(exchange, 200, "application/json", ANSWER_110);
  }

  @Test
  void rotatedCookieIsReadAgainAfterA401AndTheCallRetriedOnce(@TempDir Path dir) throws IOException {
    Path cookieFile = dir.resolve(".cookie");
    String first = "__cookie__:" + "1a".repeat(32);
    String second = "__cookie__:" + "2b".repeat(32);
    Files.writeString(cookieFile, first);
    AtomicReference<String> current = new AtomicReference<>(first);
    List<String> seen = new ArrayList<>();
    TestHttpServer node = cookieNode(current, seen);
    JsonRpcClient client = new JsonRpcClient(node.config().cookieFile(cookieFile).requestTimeout(SHORT).build());

    assertEquals(110, client.call("getblockcount", Params.NONE, Answers.INT));

    // bitcoind restarts and writes a new cookie
    Files.writeString(cookieFile, second);
    current.set(second);

    assertEquals(110, client.call("getblockcount", Params.NONE, Answers.INT));
    assertEquals(3, seen.size(), "first call, the call with the old cookie, its retry");
    assertEquals(seen.get(0), seen.get(1));
    assertEquals(110, client.call("getblockcount", Params.NONE, Answers.INT));
    assertEquals(4, seen.size(), "the new cookie is kept");
    Secrets.assertAbsent(client.toString(), first, second, "1a".repeat(32), "2b".repeat(32));
  }

  @Test
  void cookieRefusedAndUnchangedIsAnAuthenticationFailureWithoutRetry(@TempDir Path dir) throws IOException {
    Path cookieFile = dir.resolve(".cookie");
    String secret = "3c".repeat(32);
    Files.writeString(cookieFile, "__cookie__:" + secret);
    List<String> seen = new ArrayList<>();
    TestHttpServer node = cookieNode(new AtomicReference<>("__cookie__:other"), seen);
    BitcoindConfig config = node.config().cookieFile(cookieFile).requestTimeout(SHORT).build();

    BitcoindException e = assertThrows(BitcoindException.class,
        () -> new JsonRpcClient(config).call("getblockcount", Params.NONE, Answers.INT));

    assertInstanceOf(BitcoindException.Authentication.class, e);
    assertTrue(e.isTransient());
    assertEquals(1, seen.size());
    Secrets.assertAbsent(e, secret);
    Secrets.assertAbsent(config.toString(), secret);
    portsSeeANodeFault(config);
  }

  @Test
  void missingCookieFileIsAnAuthenticationFailure(@TempDir Path dir) {
    List<String> seen = new ArrayList<>();
    TestHttpServer node = cookieNode(new AtomicReference<>("__cookie__:x"), seen);
    BitcoindConfig config = node.config().cookieFile(dir.resolve("not-there")).requestTimeout(SHORT).build();

    BitcoindException e = assertThrows(BitcoindException.class,
        () -> new JsonRpcClient(config).call("getblockcount", Params.NONE, Answers.INT));

    assertInstanceOf(BitcoindException.Authentication.class, e);
    assertTrue(e.getMessage().contains("not-there"), e.getMessage());
    assertTrue(seen.isEmpty(), "nothing is sent without credentials");
  }

  @Test
  void credentialsNeverShowInDescriptions() {
    TestHttpServer s = serve(TransportFaultsTest::answer);
    BitcoindConfig config = withPassword(s).build();
    BitcoindRpc rpc = BitcoindRpc.create(config);
    BlockPoller poller = new BlockPoller(rpc.blockSource(), new RecordingChain(null), Duration.ofSeconds(1), Thread::new);
    for (Object o : List.of(config, rpc, rpc.carrier(), rpc.blockSource(), new JsonRpcClient(config), poller)) {
      Secrets.assertAbsent(o.toString(), PASSWORD, "watchtower:" + PASSWORD);
    }
  }
}
