package io.responder.bitcoind;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON-RPC over HTTP to one bitcoind, on the JDK's {@link HttpClient}, with Jackson's streaming
 * parser and generator only: an answer is parsed as it arrives and each call's {@link ResultReader}
 * turns its {@code result} into the value it needs without building a tree.
 *
 * <p>Reads both answer conventions: JSON-RPC 1.0 (errors with HTTP 500 or 404 and a body) and 2.0
 * (HTTP 200, an {@code error} member and no {@code result}). Batches are answered in request order
 * by bitcoind; an answer out of order is treated as malformed rather than guessed at. After a 401
 * with cookie authentication the cookie is read again and the request sent once more.
 *
 * <p>Never logs or puts in a message a request body (it may hold a raw transaction) or credentials.
 * Instances are thread-safe.
 */
final class JsonRpcClient {
  private static final Logger log = LoggerFactory.getLogger(JsonRpcClient.class);

  /** Shared and thread-safe. Error locations without the source, which could quote a body. */
  static final JsonFactory JSON = JsonFactory.builder()
      .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
      .build();

  /** Id of a single request: HTTP pairs the answer with it, so any constant will do. */
  private static final int SINGLE_ID = 1;

  /** Writes the elements of a request's {@code params} array. */
  @FunctionalInterface
  interface Params {
    /** No parameters. */
    Params NONE = g -> {};

    void write(JsonGenerator g) throws IOException;
  }

  /**
   * Reads a {@code result} value. {@link #read} is called with the parser on the value's first token
   * (never {@code null}) and must leave it on the value's last token. Problems are reported by
   * throwing {@link BadAnswerException}.
   */
  @FunctionalInterface
  interface ResultReader<T> {
    T read(JsonParser p) throws IOException;

    /** The value of a {@code null} or absent result; most calls have none. */
    default T readNull() throws IOException {
      throw new BadAnswerException("answer has no result");
    }
  }

  /** One call of a batch. */
  record Call<T>(String method, Params params, ResultReader<T> reader) {
    Call {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(params, "params");
      Objects.requireNonNull(reader, "reader");
    }
  }

  /** One answer of a batch: a value, or the error bitcoind gave for that call. */
  record Reply<T>(@Nullable T value, @Nullable BitcoindException error) {
    /** Returns the value or throws the call's error. */
    T get() {
      if (error != null) {
        throw error;
      }
      return value;
    }
  }

  private final HttpClient http;
  private final URI uri;
  private final String jsonRpcVersion;
  private final Credentials credentials;
  private final Duration requestTimeout;
  private final long maxResponseBytes;

  JsonRpcClient(BitcoindConfig config) {
    this(config, HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1) // bitcoind speaks HTTP/1.1 only; no h2c upgrade attempts
        .connectTimeout(config.connectTimeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .build());
  }

  JsonRpcClient(BitcoindConfig config, HttpClient http) {
    this.http = Objects.requireNonNull(http, "http");
    this.uri = config.uri();
    this.jsonRpcVersion = config.jsonRpcVersion().wire();
    this.credentials = Credentials.of(config);
    this.requestTimeout = config.requestTimeout();
    this.maxResponseBytes = config.maxResponseBytes();
  }

  URI uri() {
    return uri;
  }

  /**
   * Makes one call.
   *
   * @return what {@code reader} made of the result
   * @throws BitcoindException if the call failed in any way
   */
  <T> T call(String method, Params params, ResultReader<T> reader) {
    byte[] body = encode(List.of(new Call<>(method, params, reader)), false);
    Reply<T> reply = exchange(method, body, p -> {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new BadAnswerException("answer is not a JSON object");
      }
      Reply<T> r = readReply(p, reader, method);
      expectEnd(p);
      return r;
    });
    return reply.get();
  }

  /**
   * Makes several calls of one method in one request.
   *
   * @return one reply per element of {@code params}, in order
   * @throws BitcoindException if the request as a whole failed
   */
  <T> List<Reply<T>> batch(String method, List<Params> params, ResultReader<T> reader) {
    List<Call<T>> calls = new ArrayList<>(params.size());
    for (Params p : params) {
      calls.add(new Call<>(method, p, reader));
    }
    return batchOf(calls);
  }

  /**
   * Makes several calls of any methods in one request.
   *
   * @return one reply per call, in order
   * @throws BitcoindException if the request as a whole failed
   */
  List<Reply<Object>> batch(List<? extends Call<?>> calls) {
    return batchOf(calls);
  }

  private <T> List<Reply<T>> batchOf(List<? extends Call<? extends T>> calls) {
    if (calls.isEmpty()) {
      return List.of();
    }
    String what = "batch of " + calls.size() + " ["
        + calls.stream().map(Call::method).distinct().collect(Collectors.joining(",")) + "]";
    byte[] body = encode(calls, true);
    return exchange(what, body, p -> {
      JsonToken first = p.nextToken();
      if (first == JsonToken.START_OBJECT) {
        // The request as a whole was refused (bitcoind answers a parse error with one object).
        Reply<Object> whole = readReply(p, VOID, what);
        whole.get();
        throw new BadAnswerException("a batch was answered with a single object");
      }
      if (first != JsonToken.START_ARRAY) {
        throw new BadAnswerException("batch answer is not a JSON array");
      }
      List<Reply<T>> replies = new ArrayList<>(calls.size());
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
        int i = replies.size();
        if (i == calls.size()) {
          throw new BadAnswerException("batch answer has more elements than the request");
        }
        Call<? extends T> call = calls.get(i);
        IdReply<T> r = readReplyWithId(p, call.reader(), call.method());
        if (r.id() != null && !r.id().equals(Integer.toString(i + 1))) {
          throw new BadAnswerException("batch answer out of order: element " + (i + 1) + " has id "
              + BitcoindErrors.nodeText(r.id()));
        }
        replies.add(r.reply());
      }
      if (t != JsonToken.END_ARRAY || replies.size() != calls.size()) {
        throw new BadAnswerException("batch answer has " + replies.size() + " elements for " + calls.size() + " calls");
      }
      expectEnd(p);
      return replies;
    });
  }

  // -----------------------------------------------------------------------------------------------
  // Requests

  private byte[] encode(List<? extends Call<?>> calls, boolean asBatch) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      if (asBatch) {
        g.writeStartArray();
      }
      int id = asBatch ? 1 : SINGLE_ID;
      for (Call<?> c : calls) {
        g.writeStartObject();
        g.writeStringField("jsonrpc", jsonRpcVersion);
        g.writeNumberField("id", id++);
        g.writeStringField("method", c.method());
        g.writeArrayFieldStart("params");
        c.params().write(g);
        g.writeEndArray();
        g.writeEndObject();
      }
      if (asBatch) {
        g.writeEndArray();
      }
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory failed", e);
    }
    return out.toByteArray();
  }

  @FunctionalInterface
  private interface BodyReader<R> {
    R read(JsonParser p) throws IOException;
  }

  private <R> R exchange(String call, byte[] body, BodyReader<R> reader) {
    String auth = credentials.header();
    HttpResponse<ResponseBody> response = post(call, body, auth);
    if (response.statusCode() == 401) {
      response.body().close();
      String fresh = credentials.refreshAfterRejection(auth);
      if (fresh != null) {
        log.atInfo().addKeyValue("call", call).addKeyValue("url", uri)
            .log("bitcoind refused the cookie; read the cookie file again and retrying once");
        response = post(call, body, fresh);
      }
    }
    int status = response.statusCode();
    try (ResponseBody in = response.body()) {
      BitcoindException refused = BitcoindErrors.fromHttpStatus(status, call, uri);
      if (refused != null) {
        throw refused;
      }
      OptionalLong length = response.headers().firstValueAsLong("content-length");
      if (length.isPresent() && length.getAsLong() > maxResponseBytes) {
        throw new ResponseTooLargeException(maxResponseBytes);
      }
      try (JsonParser p = JSON.createParser(in)) {
        R result = reader.read(p);
        log.atDebug().addKeyValue("call", call).addKeyValue("status", status).log("bitcoind answered");
        return result;
      }
    } catch (IOException e) {
      throw BitcoindErrors.fromIo(e, call, uri, status);
    }
  }

  private HttpResponse<ResponseBody> post(String call, byte[] body, String auth) {
    long deadline = System.nanoTime() + requestTimeout.toNanos();
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(requestTimeout)
        .header("Content-Type", "application/json")
        .header("Authorization", auth)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
    try {
      return http.send(request, info -> new ResponseBody(deadline, maxResponseBytes));
    } catch (IOException e) {
      throw BitcoindErrors.fromIo(e, call, uri, 0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw BitcoindErrors.interrupted(call, uri);
    }
  }

  // -----------------------------------------------------------------------------------------------
  // Answers

  /** Accepts any result, null included, and returns null: for calls whose result is not needed. */
  static final ResultReader<Object> VOID = new ResultReader<>() {
    @Override
    public Object read(JsonParser p) throws IOException {
      p.skipChildren();
      return null;
    }

    @Override
    public Object readNull() {
      return null;
    }
  };

  private record IdReply<T>(Reply<T> reply, @Nullable String id) {}

  private static <T> Reply<T> readReply(JsonParser p, ResultReader<? extends T> reader, String call) throws IOException {
    return JsonRpcClient.<T>readReplyWithId(p, reader, call).reply();
  }

  /** Reads one answer object; the parser is on its START_OBJECT and is left on its END_OBJECT. */
  private static <T> IdReply<T> readReplyWithId(JsonParser p, ResultReader<? extends T> reader, String call)
      throws IOException {
    T value = null;
    boolean hasResult = false;
    BitcoindException error = null;
    String id = null;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (name) {
        case "result":
          if (v != JsonToken.VALUE_NULL) {
            value = reader.read(p);
            hasResult = true;
          }
          break;
        case "error":
          if (v != JsonToken.VALUE_NULL) {
            error = readError(p, call);
          }
          break;
        case "id":
          id = v.isScalarValue() && v != JsonToken.VALUE_NULL ? p.getText() : null;
          p.skipChildren();
          break;
        default:
          p.skipChildren(); // "jsonrpc", and anything a later version adds
      }
    }
    if (t != JsonToken.END_OBJECT) {
      throw new BadAnswerException("answer object is not closed");
    }
    if (error == null && !hasResult) {
      value = reader.readNull();
    }
    return new IdReply<>(new Reply<>(error == null ? value : null, error), id);
  }

  private static BitcoindException readError(JsonParser p, String call) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw new BadAnswerException("error member is not an object");
    }
    Integer code = null;
    String message = "";
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      if (name.equals("code") && v == JsonToken.VALUE_NUMBER_INT) {
        code = p.getIntValue();
      } else if (name.equals("message") && v == JsonToken.VALUE_STRING) {
        message = p.getText();
      } else {
        p.skipChildren();
      }
    }
    if (code == null) {
      throw new BadAnswerException("error object without an integer code");
    }
    return BitcoindErrors.fromRpcError(code, message, call);
  }

  /** Only whitespace may follow the answer. */
  private static void expectEnd(JsonParser p) throws IOException {
    if (p.nextToken() != null) {
      throw new BadAnswerException("content after the answer");
    }
  }

  @Override
  public String toString() {
    return "JsonRpcClient{" + uri + ", " + credentials + "}";
  }
}
