package io.responder.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.responder.core.InvalidInputException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The strings of the persisted form: taken whole when plain, decoded when escaped, strict either way. */
class FlatJsonTest {

  @Test
  void plainAndEscapedStringsRoundTripInAnyOrder() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("hex", "02000000000101" + "ab".repeat(300));
    values.put("quoted", "a \"quoted\" back\\slash");
    values.put("empty", "");
    values.put("controls", "tab\there\nnew line \u0001 and \u001f");
    values.put("after", "plain again");
    values.put("unicode", "é ü 中");
    FlatJson.Writer w = new FlatJson.Writer();
    values.forEach((k, v) -> w.string(k, (String) v));

    assertEquals(values, FlatJson.parse("record", w.toString()));
  }

  @Test
  void escapesWrittenByOthersAreRead() {
    assertEquals(Map.of("a", "x/y\b\f\r\u00e9"), FlatJson.parse("record", "{\"a\":\"x\\/y\\b\\f\\r\\u00e9\"}"));
  }

  @Test
  void anUnterminatedStringOrARawControlCharacterIsRefused() {
    assertThrows(InvalidInputException.class, () -> FlatJson.parse("record", "{\"a\":\"abc"));
    assertThrows(InvalidInputException.class, () -> FlatJson.parse("record", "{\"a\":\"ab\u0001c\"}"));
    assertThrows(InvalidInputException.class, () -> FlatJson.parse("record", "{\"a\":\"ab\\qc\"}"));
    assertThrows(InvalidInputException.class, () -> FlatJson.parse("record", "{\"a\":\"ab\\u00\"}"));
  }
}
