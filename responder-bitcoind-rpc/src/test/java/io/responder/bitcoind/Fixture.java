package io.responder.bitcoind;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * One exchange recorded from a regtest bitcoind, read from the test resources: the request body and
 * the exact status, content type and body answered.
 */
record Fixture(String name, String requestBody, int status, String contentType, String responseBody) {
  static final String DIRECTORY = "fixtures/bitcoind-regtest/";
  /** The fees and package relay recordings (their own INDEX.md, beside the main ones). */
  static final String FEES_DIRECTORY = "fixtures/bitcoind-regtest-fees/";

  static Fixture load(String name) {
    return load(DIRECTORY, name);
  }

  static Fixture load(String directory, String name) {
    String resource = directory + name + ".json";
    try (InputStream in = Fixture.class.getClassLoader().getResourceAsStream(resource)) {
      Objects.requireNonNull(in, "no fixture " + resource);
      return parse(name, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The names of every fixture in the test resources, without ".json". */
  static List<String> allNames() {
    return allNames(DIRECTORY);
  }

  /** The names of every fixture in {@code directory} of the test resources, without ".json". */
  static List<String> allNames(String directory) {
    URL dir = Fixture.class.getClassLoader().getResource(directory);
    Objects.requireNonNull(dir, "no fixture directory");
    try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json"))
          .map(n -> n.substring(0, n.length() - ".json".length())).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Fixture parse(String name, byte[] json) throws IOException {
    String requestBody = null;
    String contentType = null;
    String responseBody = null;
    int status = -1;
    try (JsonParser p = RpcRequest.JSON.createParser(json)) {
      p.nextToken();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String section = p.currentName();
        if (p.nextToken() != JsonToken.START_OBJECT) {
          p.skipChildren();
          continue;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = section + "." + p.currentName();
          p.nextToken();
          switch (field) {
            case "request.body" -> requestBody = p.getText();
            case "response.status" -> status = p.getIntValue();
            case "response.content_type" -> contentType = p.getText();
            case "response.body" -> responseBody = p.getText();
            default -> p.skipChildren();
          }
        }
      }
    }
    return new Fixture(name, Objects.requireNonNull(requestBody), status, Objects.requireNonNull(contentType),
        Objects.requireNonNull(responseBody));
  }

  /** The recorded request, parsed; empty for a request body that is not JSON-RPC. */
  java.util.Optional<RpcRequest.Parsed> request() {
    return RpcRequest.parse(requestBody.getBytes(StandardCharsets.UTF_8));
  }

  /** The recorded answer's result when it is a string (a txid or a block hash). */
  java.util.Optional<String> resultString() {
    try (JsonParser p = RpcRequest.JSON.createParser(responseBody)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return java.util.Optional.empty();
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (name.equals("result") && v == JsonToken.VALUE_STRING) {
          return java.util.Optional.of(p.getText());
        }
        p.skipChildren();
      }
      return java.util.Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first parameter of the recorded (single) request, a JSON string unquoted. */
  String firstParam() {
    return request().orElseThrow().calls().get(0).param(0);
  }
}
