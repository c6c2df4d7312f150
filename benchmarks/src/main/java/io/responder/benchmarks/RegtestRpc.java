package io.responder.benchmarks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's own line to the regtest node, for what the library does not do (wallet, signing,
 * mining) and for the floors it is measured against. JSON-RPC 1.0 with the node's cookie, read at
 * every request so a restarted node is reached without ceremony; answers become plain Java values
 * ({@code Map}, {@code List}, {@code String}, {@code BigDecimal}, {@code Long}, {@code Boolean}, null).
 *
 * <p>Thread-safe.
 */
final class RegtestRpc {
  private static final JsonFactory JSON = new JsonFactory();

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  private final URI uri;
  private final Path cookieFile;

  RegtestRpc(URI uri, Path cookieFile) {
    this.uri = uri;
    this.cookieFile = cookieFile;
  }

  /** Calls a method; fails with the node's error message if it answers one. */
  Object call(String method, Object... params) {
    Map<String, Object> envelope = asMap(post(method, request(List.<Object[]>of(new Object[] {method, List.of(params)}), false)));
    if (envelope.get("error") instanceof Map<?, ?> error) {
      throw new IllegalStateException(method + ": " + error.get("code") + " " + error.get("message"));
    }
    return envelope.get("result");
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> object(String method, Object... params) {
    return (Map<String, Object>) call(method, params);
  }

  @SuppressWarnings("unchecked")
  List<Object> array(String method, Object... params) {
    return (List<Object>) call(method, params);
  }

  /**
   * Calls one method once per parameter list, in JSON-RPC batches of at most {@code perRequest}
   * calls; fails on the first error the node answers.
   *
   * @return the results, in order
   */
  List<Object> batch(String method, List<List<Object>> params, int perRequest) {
    List<Object> results = new ArrayList<>(params.size());
    for (int start = 0; start < params.size(); start += perRequest) {
      List<Object[]> calls = new ArrayList<>();
      for (List<Object> p : params.subList(start, Math.min(params.size(), start + perRequest))) {
        calls.add(new Object[] {method, p});
      }
      results.addAll(answers(method, post(method, request(calls, true))));
    }
    return results;
  }

  /**
   * Sends one request, already encoded, and reads its answers: the floor of one JSON-RPC batch.
   *
   * @return the results, in order; fails on the first error
   */
  List<Object> postBatch(String method, byte[] body) {
    return answers(method, post(method, body));
  }

  /** The body of one JSON-RPC batch calling {@code method} once per parameter list. */
  static byte[] batchBody(String method, List<List<Object>> params) {
    List<Object[]> calls = new ArrayList<>(params.size());
    for (List<Object> p : params) {
      calls.add(new Object[] {method, p});
    }
    return request(calls, true);
  }

  /**
   * The floor of one-by-one sends: {@code sendrawtransaction} for each transaction in turn, in a
   * tight loop over one kept-alive connection of the JDK's {@link HttpClient} (the HTTP client the
   * library uses), request bodies built before the clock starts; every answer must be HTTP 200.
   *
   * @return nanoseconds from the first request to the last answer
   */
  long sendOneByOne(List<String> hexes) {
    List<HttpRequest> requests = new ArrayList<>(hexes.size());
    String auth = "Basic " + Base64.getEncoder().encodeToString(cookie().getBytes(StandardCharsets.UTF_8));
    for (String hex : hexes) {
      requests.add(HttpRequest.newBuilder(uri)
          .timeout(Duration.ofSeconds(60))
          .header("Authorization", auth)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(
              request(List.<Object[]>of(new Object[] {"sendrawtransaction", List.of(hex)}), false)))
          .build());
    }
    try {
      long start = System.nanoTime();
      for (HttpRequest r : requests) {
        HttpResponse<byte[]> answer = http.send(r, HttpResponse.BodyHandlers.ofByteArray());
        if (answer.statusCode() != 200) {
          throw new IllegalStateException("sendrawtransaction refused a transaction of the floor: HTTP "
              + answer.statusCode() + " " + new String(answer.body(), StandardCharsets.UTF_8));
        }
      }
      return System.nanoTime() - start;
    } catch (IOException e) {
      throw new UncheckedIOException("the one-by-one floor failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private String cookie() {
    try {
      return Files.readString(cookieFile, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the node's cookie", e);
    }
  }

  private Object post(String method, byte[] body) {
    try {
      HttpRequest request = HttpRequest.newBuilder(uri)
          .timeout(Duration.ofSeconds(300))
          .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(cookie().getBytes(StandardCharsets.UTF_8)))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body))
          .build();
      HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      if (response.body().length == 0) {
        throw new IllegalStateException(method + ": HTTP " + response.statusCode() + " with no body");
      }
      try (JsonParser p = JSON.createParser(response.body())) {
        p.nextToken();
        return read(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(method + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(method + " interrupted", e);
    }
  }

  private static List<Object> answers(String method, Object answer) {
    if (!(answer instanceof List<?> list)) {
      throw new IllegalStateException(method + ": a batch was answered with " + answer);
    }
    List<Object> results = new ArrayList<>(list.size());
    for (Object o : list) {
      Map<String, Object> envelope = asMap(o);
      if (envelope.get("error") instanceof Map<?, ?> error) {
        throw new IllegalStateException(method + " (in a batch): " + error.get("code") + " " + error.get("message"));
      }
      results.add(envelope.get("result"));
    }
    return results;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object o) {
    return (Map<String, Object>) o;
  }

  private static byte[] request(List<Object[]> calls, boolean asBatch) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      if (asBatch) {
        g.writeStartArray();
      }
      int id = 0;
      for (Object[] call : calls) {
        g.writeStartObject();
        g.writeStringField("jsonrpc", "1.0");
        g.writeNumberField("id", id++);
        g.writeStringField("method", (String) call[0]);
        g.writeFieldName("params");
        write(g, call[1]);
        g.writeEndObject();
      }
      if (asBatch) {
        g.writeEndArray();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void write(JsonGenerator g, Object value) throws IOException {
    if (value == null) {
      g.writeNull();
    } else if (value instanceof String s) {
      g.writeString(s);
    } else if (value instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (value instanceof BigDecimal d) {
      g.writeNumber(d);
    } else if (value instanceof Integer || value instanceof Long) {
      g.writeNumber(((Number) value).longValue());
    } else if (value instanceof List<?> list) {
      g.writeStartArray();
      for (Object o : list) {
        write(g, o);
      }
      g.writeEndArray();
    } else if (value instanceof Map<?, ?> map) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        g.writeFieldName((String) e.getKey());
        write(g, e.getValue());
      }
      g.writeEndObject();
    } else {
      throw new IllegalArgumentException("cannot write a " + value.getClass().getSimpleName() + " as JSON");
    }
  }

  private static Object read(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT -> {
        Map<String, Object> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          map.put(name, read(p));
        }
        return map;
      }
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          list.add(read(p));
        }
        return list;
      }
      case VALUE_STRING -> {
        return p.getText();
      }
      case VALUE_NUMBER_INT -> {
        return p.getLongValue();
      }
      case VALUE_NUMBER_FLOAT -> {
        return p.getDecimalValue();
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return p.getBooleanValue();
      }
      case VALUE_NULL -> {
        return null;
      }
      default -> throw new IOException("unexpected JSON token " + t);
    }
  }
}
