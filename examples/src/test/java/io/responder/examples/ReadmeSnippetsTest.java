package io.responder.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every Java snippet in README.md is an excerpt of compiled code (STYLE.md habit 17). A snippet is
 * marked {@code <!-- snippet: path#tag -->} right above its fence, and must equal the lines between
 * {@code // tag::tag[]} and {@code // end::tag[]} in that file, indentation removed. When this test
 * fails, copy the expected text it prints into README.md.
 */
class ReadmeSnippetsTest {
  private static final Pattern FENCE = Pattern.compile("(?m)^```java\\n(.*?)^```", Pattern.DOTALL);
  private static final Pattern MARKER = Pattern.compile("<!-- snippet: (\\S+)#(\\S+) -->\\n$");

  private final Path root = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent();

  @Test
  void everyJavaSnippetInTheReadmeIsCompiledCode() throws IOException {
    String readme = Files.readString(root.resolve("README.md"));
    Matcher fence = FENCE.matcher(readme);
    List<String> problems = new ArrayList<>();
    int checked = 0;
    while (fence.find()) {
      String before = readme.substring(Math.max(0, fence.start() - 300), fence.start());
      Matcher marker = MARKER.matcher(before);
      int line = readme.substring(0, fence.start()).split("\n", -1).length;
      if (!marker.find()) {
        problems.add("README.md line " + line + ": a java block without a <!-- snippet: path#tag --> marker");
        continue;
      }
      String expected = excerpt(root.resolve(marker.group(1)), marker.group(2));
      String actual = fence.group(1).stripTrailing();
      if (!expected.equals(actual)) {
        problems.add("README.md line " + line + ": snippet " + marker.group(1) + "#" + marker.group(2)
            + " is out of date; it should read:\n" + expected);
      }
      checked++;
    }
    assertEquals(List.of(), problems, String.join("\n\n", problems));
    assertTrue(checked >= 4, "expected the README's snippets, found " + checked);
  }

  /** The lines between the tag markers, with their common indentation removed. */
  static String excerpt(Path file, String tag) throws IOException {
    List<String> lines = Files.readAllLines(file);
    int start = lines.indexOf(lines.stream().filter(l -> l.strip().equals("// tag::" + tag + "[]")).findFirst()
        .orElseThrow(() -> new AssertionError("no // tag::" + tag + "[] in " + file)));
    int end = start + 1;
    while (end < lines.size() && !lines.get(end).strip().equals("// end::" + tag + "[]")) {
      end++;
    }
    assertFalse(end == lines.size(), "no // end::" + tag + "[] in " + file);
    List<String> body = lines.subList(start + 1, end);
    int indent = body.stream().filter(l -> !l.isBlank())
        .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
    List<String> out = new ArrayList<>();
    for (String l : body) {
      out.add(l.isBlank() ? "" : l.substring(indent));
    }
    return String.join("\n", out).stripTrailing();
  }
}
