package io.responder.bitcoind;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One JSON-RPC call as a test server received it: version, id and method, and each parameter as
 * compact JSON text so that parameters compare independently of spacing.
 */
record RpcRequest(String version, String idJson, String method, List<String> params) {
  static final JsonFactory JSON = new JsonFactory();

  /**
   * Parses a request body: a single call or a batch.
   *
   * @return the calls (one for a single call), or empty if the body is not a JSON-RPC request
   */
  static Optional<Parsed> parse(byte[] body) {
    try (JsonParser p = JSON.createParser(body)) {
      JsonToken first = p.nextToken();
      if (first == JsonToken.START_OBJECT) {
        RpcRequest one = readCall(p);
        return p.nextToken() == null ? Optional.of(new Parsed(false, List.of(one))) : Optional.empty();
      }
      if (first == JsonToken.START_ARRAY) {
        List<RpcRequest> calls = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
          calls.add(readCall(p));
        }
        return Optional.of(new Parsed(true, calls));
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** A request body: one call or a batch of them. */
  record Parsed(boolean batch, List<RpcRequest> calls) {}

  private static RpcRequest readCall(JsonParser p) throws IOException {
    String version = null;
    String id = "null";
    String method = null;
    List<String> params = new ArrayList<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      switch (name) {
        case "jsonrpc" -> version = p.getText();
        case "id" -> id = compact(p);
        case "method" -> method = p.getText();
        case "params" -> {
          while (p.nextToken() != JsonToken.END_ARRAY) {
            params.add(compact(p));
          }
        }
        default -> p.skipChildren();
      }
    }
    return new RpcRequest(version, id, method, List.copyOf(params));
  }

  private static String compact(JsonParser p) throws IOException {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.copyCurrentStructure(p);
    }
    return out.toString();
  }

  /** Whether {@code actual} is this recorded call, possibly with trailing parameters added. */
  boolean answers(RpcRequest actual) {
    return java.util.Objects.equals(version, actual.version) && method.equals(actual.method)
        && params.size() <= actual.params.size() && params.equals(actual.params.subList(0, params.size()));
  }

  /** The parameter at {@code i} as text: a JSON string unquoted, anything else as JSON. */
  String param(int i) {
    String json = params.get(i);
    try (JsonParser p = JSON.createParser(json)) {
      p.nextToken();
      return p.getText();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
