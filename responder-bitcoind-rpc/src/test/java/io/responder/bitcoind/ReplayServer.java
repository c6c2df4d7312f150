package io.responder.bitcoind;

import com.sun.net.httpserver.HttpExchange;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers the recorded bitcoind exchanges byte for byte (status, content type, body) over real HTTP.
 *
 * <p>A test arms the fixtures it expects with {@link #expect}; a request is answered by the first
 * armed fixture whose recorded request it matches (same JSON-RPC version and method, and the recorded
 * parameters as a prefix of the actual ones, since some recordings omit a trailing optional
 * parameter such as {@code maxfeerate}). Each armed fixture answers once. {@link #enqueue} answers the
 * next request whatever it is, for the one recording whose request this client cannot produce (a
 * body that is not JSON). A request with the wrong credentials gets the recorded 401.
 * {@link #verify()} fails on a request nothing matched or an armed fixture left unused.
 *
 * <p>Every fixture served is recorded in {@link #SERVED}, so a suite can check it used them all.
 */
final class ReplayServer implements AutoCloseable {
  static final String USER = "watchtower";
  static final String PASSWORD = "correct-horse-battery-staple";
  static final Set<String> SERVED = ConcurrentHashMap.newKeySet();
  /** The fixtures served, per fixture directory ({@link #SERVED} is that of the main one). */
  static final Map<String, Set<String>> SERVED_BY_DIRECTORY = new ConcurrentHashMap<>(Map.of(Fixture.DIRECTORY, SERVED));

  /** An answer: a recorded fixture, or one the test wrote itself (named, for failure messages). */
  record Exchange(String name, RpcRequest.Parsed request, int status, String contentType, String body, boolean fixture) {}

  private final TestHttpServer server;
  private final Deque<Exchange> expected = new ArrayDeque<>();
  private final Deque<Exchange> enqueued = new ArrayDeque<>();
  private final List<Exchange> standing = new ArrayList<>();
  private final List<String> unmatched = new ArrayList<>();
  private final List<String> paths = new ArrayList<>();
  private final List<RpcRequest.Parsed> received = new ArrayList<>();
  private final String expectedAuth;
  private final String directory;

  ReplayServer() {
    this(Fixture.DIRECTORY);
  }

  /** Serves the fixtures of {@code directory} of the test resources (the 401 is always the main one's). */
  ReplayServer(String directory) {
    this.directory = directory;
    this.expectedAuth = "Basic " + Base64.getEncoder()
        .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    this.server = new TestHttpServer(this::handle);
  }

  /** A configuration with the right credentials. */
  BitcoindConfig.Builder config() {
    return server.config().userPassword(USER, PASSWORD);
  }

  JsonRpcClient client() {
    return new JsonRpcClient(config().build());
  }

  JsonRpcClient client(BitcoindConfig config) {
    return new JsonRpcClient(config);
  }

  synchronized ReplayServer expect(String... fixtures) {
    for (String name : fixtures) {
      expected.add(fromFixture(Fixture.load(directory, name)));
    }
    return this;
  }

  /** Arms an answer the recordings lack, for the request {@code method} with {@code params}. */
  synchronized ReplayServer expectCustom(String name, String method, List<String> params, int status, String body) {
    RpcRequest call = new RpcRequest("1.0", "1", method, params);
    expected.add(new Exchange(name, new RpcRequest.Parsed(false, List.of(call)), status, "application/json", body, false));
    return this;
  }

  /**
   * Arms a fixture that answers every matching request and need not be used: for calls whose number
   * is the core's business (how often the Responder asks for the best block), not the test's.
   */
  synchronized ReplayServer allow(String fixture) {
    standing.add(fromFixture(Fixture.load(directory, fixture)));
    return this;
  }

  synchronized ReplayServer enqueue(String fixture) {
    enqueued.add(fromFixture(Fixture.load(directory, fixture)));
    return this;
  }

  synchronized List<RpcRequest.Parsed> received() {
    return List.copyOf(received);
  }

  synchronized List<String> paths() {
    return List.copyOf(paths);
  }

  /** The set of fixtures served from {@code directory}. */
  static Set<String> servedIn(String directory) {
    return SERVED_BY_DIRECTORY.computeIfAbsent(directory, d -> ConcurrentHashMap.newKeySet());
  }

  private static Exchange fromFixture(Fixture f) {
    return new Exchange(f.name(), f.request().orElse(null), f.status(), f.contentType(), f.responseBody(), true);
  }

  private void handle(HttpExchange exchange) throws Exception {
    byte[] body = exchange.getRequestBody().readAllBytes();
    Exchange answer;
    synchronized (this) {
      paths.add(exchange.getRequestURI().getPath());
      Optional<RpcRequest.Parsed> request = RpcRequest.parse(body);
      request.ifPresent(received::add);
      if (!expectedAuth.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        answer = fromFixture(Fixture.load(Fixture.DIRECTORY, "auth_failure"));
      } else if (!enqueued.isEmpty()) {
        answer = enqueued.poll();
      } else {
        answer = request.flatMap(this::takeMatching).orElse(null);
      }
      if (answer == null) {
        unmatched.add(request.map(Object::toString).orElse("a body that is not JSON-RPC"));
      } else if (answer.fixture()) {
        servedIn(answer.name().equals("auth_failure") ? Fixture.DIRECTORY : directory).add(answer.name());
      }
    }
    if (answer == null) {
      TestHttpServer.respond(exchange, 418, "text/plain", "no fixture matches".getBytes(StandardCharsets.US_ASCII));
      return;
    }
    TestHttpServer.respond(exchange, answer.status(), answer.contentType(), answer.body().getBytes(StandardCharsets.UTF_8));
  }

  private Optional<Exchange> takeMatching(RpcRequest.Parsed actual) {
    for (Iterator<Exchange> it = expected.iterator(); it.hasNext(); ) {
      Exchange e = it.next();
      if (e.request() != null && matches(e.request(), actual)) {
        it.remove();
        return Optional.of(e);
      }
    }
    return standing.stream().filter(e -> matches(e.request(), actual)).findFirst();
  }

  private static boolean matches(RpcRequest.Parsed recorded, RpcRequest.Parsed actual) {
    if (recorded.batch() != actual.batch() || recorded.calls().size() != actual.calls().size()) {
      return false;
    }
    for (int i = 0; i < recorded.calls().size(); i++) {
      if (!recorded.calls().get(i).answers(actual.calls().get(i))) {
        return false;
      }
    }
    return true;
  }

  /** Fails if a request matched nothing or an armed answer was not asked for. */
  synchronized void verify() {
    if (!unmatched.isEmpty()) {
      throw new AssertionError("requests no fixture matched: " + unmatched);
    }
    if (!expected.isEmpty() || !enqueued.isEmpty()) {
      List<String> left = new ArrayList<>();
      expected.forEach(e -> left.add(e.name()));
      enqueued.forEach(e -> left.add(e.name()));
      throw new AssertionError("armed answers never asked for: " + left);
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
