package io.responder.core.internal;

import io.responder.core.InvalidInputException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads and writes a flat JSON object whose values are strings, integers or null: the persisted form
 * of a tracker. Strict: anything else (nesting, duplicates, trailing text) is an error. Kept here so
 * the core needs no JSON library. Not published API.
 */
public final class FlatJson {
  private FlatJson() {}

  /** Builds a flat JSON object in insertion order. Not thread-safe. */
  public static final class Writer {
    private final StringBuilder out = new StringBuilder(256).append('{');

    /**
     * Adds a string member, or null.
     *
     * @param name the member name
     * @param value the value, or null
     * @return this writer
     */
    public Writer string(String name, @Nullable String value) {
      name(name);
      if (value == null) {
        out.append("null");
      } else {
        quote(value);
      }
      return this;
    }

    /**
     * Adds an integer member.
     *
     * @param name the member name
     * @param value the value
     * @return this writer
     */
    public Writer number(String name, long value) {
      name(name);
      out.append(value);
      return this;
    }

    /**
     * Adds an integer member, or null when {@code present} is false.
     *
     * @param name the member name
     * @param present whether there is a value
     * @param value the value
     * @return this writer
     */
    public Writer optionalNumber(String name, boolean present, long value) {
      name(name);
      if (present) {
        out.append(value);
      } else {
        out.append("null");
      }
      return this;
    }

    private void name(String name) {
      if (out.length() > 1) {
        out.append(',');
      }
      quote(name);
      out.append(':');
    }

    private void quote(String s) {
      out.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '"' || c == '\\') {
          out.append('\\').append(c);
        } else if (c < 0x20) {
          out.append(String.format("\\u%04x", (int) c));
        } else {
          out.append(c);
        }
      }
      out.append('"');
    }

    /** @return the finished object */
    @Override
    public String toString() {
      return out + "}";
    }
  }

  /**
   * Parses a flat object into a map whose values are {@code String}, {@code Long} or null.
   *
   * @param field the field name for errors (the whole record)
   * @param text the JSON text
   * @return the members in order
   */
  public static Map<String, @Nullable Object> parse(String field, String text) {
    if (text == null) {
      throw new InvalidInputException(field, "must not be null");
    }
    return new Reader(field, text).object();
  }

  private static final class Reader {
    private final String field;
    private final String s;
    private int pos;

    Reader(String field, String s) {
      this.field = field;
      this.s = s;
    }

    Map<String, @Nullable Object> object() {
      Map<String, @Nullable Object> members = new LinkedHashMap<>();
      skipSpace();
      expect('{');
      skipSpace();
      if (peek() == '}') {
        pos++;
      } else {
        while (true) {
          skipSpace();
          String name = string();
          skipSpace();
          expect(':');
          skipSpace();
          Object value = value();
          if (members.containsKey(name)) {
            throw bad("member \"" + name + "\" appears twice");
          }
          members.put(name, value);
          skipSpace();
          char c = next();
          if (c == '}') {
            break;
          }
          if (c != ',') {
            throw bad("expected ',' or '}' at position " + (pos - 1));
          }
        }
      }
      skipSpace();
      if (pos != s.length()) {
        throw bad("unexpected text after the object");
      }
      return members;
    }

    private @Nullable Object value() {
      char c = peek();
      if (c == '"') {
        return string();
      }
      if (c == 'n') {
        if (s.startsWith("null", pos)) {
          pos += 4;
          return null;
        }
        throw bad("bad literal at position " + pos);
      }
      if (c == '-' || (c >= '0' && c <= '9')) {
        int start = pos;
        if (c == '-') {
          pos++;
        }
        int digits = pos;
        // ASCII digits only: Character.isDigit and Long.parseLong also take other scripts' digits.
        while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
          pos++;
        }
        if (pos == digits || (s.charAt(digits) == '0' && pos - digits > 1)) {
          throw bad("bad number at position " + start);
        }
        try {
          return Long.parseLong(s.substring(start, pos));
        } catch (NumberFormatException e) {
          throw bad("bad number at position " + start);
        }
      }
      throw bad("only strings, integers and null are allowed (position " + pos + ")");
    }

    private String string() {
      expect('"');
      // Most strings (hex, names) have no escape: taken whole, instead of grown a character at a
      // time (a raw transaction's hex is hundreds of characters, and a store reads a storm of them).
      int start = pos;
      for (int i = start; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '"') {
          pos = i + 1;
          return s.substring(start, i);
        }
        if (c == '\\' || c < 0x20) {
          break;
        }
      }
      StringBuilder b = new StringBuilder();
      while (true) {
        char c = next();
        if (c == '"') {
          return b.toString();
        }
        if (c == '\\') {
          char e = next();
          switch (e) {
            case '"', '\\', '/' -> b.append(e);
            case 'n' -> b.append('\n');
            case 't' -> b.append('\t');
            case 'r' -> b.append('\r');
            case 'b' -> b.append('\b');
            case 'f' -> b.append('\f');
            case 'u' -> {
              if (pos + 4 > s.length()) {
                throw bad("truncated escape");
              }
              int code = 0;
              for (int i = 0; i < 4; i++) {
                int d = Hex.asciiHexDigit(s.charAt(pos + i));
                if (d < 0) {
                  throw bad("bad escape");
                }
                code = code << 4 | d;
              }
              b.append((char) code);
              pos += 4;
            }
            default -> throw bad("bad escape");
          }
        } else if (c < 0x20) {
          throw bad("unescaped control character at position " + (pos - 1));
        } else {
          b.append(c);
        }
      }
    }

    private void skipSpace() {
      while (pos < s.length() && isJsonSpace(s.charAt(pos))) {
        pos++;
      }
    }

    /** JSON's four whitespace characters; Character.isWhitespace also takes others. */
    private static boolean isJsonSpace(char c) {
      return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private char peek() {
      if (pos >= s.length()) {
        throw bad("is truncated");
      }
      return s.charAt(pos);
    }

    private char next() {
      char c = peek();
      pos++;
      return c;
    }

    private void expect(char c) {
      if (next() != c) {
        throw bad("expected '" + c + "' at position " + (pos - 1));
      }
    }

    private InvalidInputException bad(String problem) {
      return new InvalidInputException(field, "is not a valid record: " + problem);
    }
  }
}
