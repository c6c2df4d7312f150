package io.responder.it;

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
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The test's own line to the regtest node, for what the library does not do (wallet, mining, reorgs,
 * and looking at what the node holds). JSON-RPC 1.0 with the node's cookie, read at every call so a
 * restarted node (new cookie) is reached without ceremony. Answers become plain Java values:
 * {@code Map}, {@code List}, {@code String}, {@code BigDecimal}, {@code Long}, {@code Boolean} or null.
 *
 * <p>Thread-safe (each call is independent).
 */
final class NodeRpc {
  private static final JsonFactory JSON = new JsonFactory();

  /** A JSON-RPC error answer from the node. */
  static final class RpcError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int code;

    RpcError(String method, int code, String message) {
      super(method + ": " + code + " " + message);
      this.code = code;
    }

    int code() {
      return code;
    }
  }

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI uri;
  private final Path cookieFile;

  NodeRpc(URI uri, Path cookieFile) {
    this.uri = uri;
    this.cookieFile = cookieFile;
  }

  /** Calls a method; with one wallet loaded, wallet methods go to it. */
  Object call(String method, Object... params) {
    try {
      String cookie = Files.readString(cookieFile, StandardCharsets.UTF_8).trim();
      HttpRequest request = HttpRequest.newBuilder(uri)
          .timeout(Duration.ofSeconds(60))
          .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(cookie.getBytes(StandardCharsets.UTF_8)))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(request(method, params)))
          .build();
      HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      if (response.body().length == 0) {
        throw new IllegalStateException(method + ": HTTP " + response.statusCode() + " with no body");
      }
      Object answer;
      try (JsonParser p = JSON.createParser(response.body())) {
        p.nextToken();
        answer = read(p);
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> envelope = (Map<String, Object>) answer;
      if (envelope.get("error") instanceof Map<?, ?> error) {
        throw new RpcError(method, ((Number) error.get("code")).intValue(), String.valueOf(error.get("message")));
      }
      return envelope.get("result");
    } catch (IOException e) {
      throw new UncheckedIOException(method + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(method + " interrupted", e);
    }
  }

  /** Calls a method whose result is an object. */
  @SuppressWarnings("unchecked")
  Map<String, Object> object(String method, Object... params) {
    return (Map<String, Object>) call(method, params);
  }

  /** Calls a method whose result is a string. */
  String string(String method, Object... params) {
    return (String) call(method, params);
  }

  /** Calls a method whose result is an array. */
  @SuppressWarnings("unchecked")
  List<Object> array(String method, Object... params) {
    return (List<Object>) call(method, params);
  }

  private static byte[] request(String method, Object[] params) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("jsonrpc", "1.0");
      g.writeStringField("id", "it");
      g.writeStringField("method", method);
      g.writeFieldName("params");
      write(g, Arrays.asList(params)); // null stands for an argument left at its default
      g.writeEndObject();
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
