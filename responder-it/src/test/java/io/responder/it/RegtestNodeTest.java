package io.responder.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the real-node suite runs, is skipped, or fails the build (a unit test: no node needed). */
class RegtestNodeTest {
  @Test
  void withoutTheVariableTheSuiteIsSkipped() {
    assertEquals(Optional.empty(), RegtestNode.binaryFrom(Map.of()));
    assertEquals(Optional.empty(), RegtestNode.binaryFrom(Map.of("CI", "false", RegtestNode.BINARY_VARIABLE, " ")));
  }

  @Test
  void underCiAMissingVariableFailsTheRun() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> RegtestNode.binaryFrom(Map.of("CI", "true")));
    assertTrue(e.getMessage().contains(RegtestNode.BINARY_VARIABLE), e.getMessage());
  }

  @Test
  void aPathThatIsNoExecutableFailsTheRunEvenOutsideCi(@TempDir Path dir) throws IOException {
    Path notExecutable = Files.createFile(dir.resolve("bitcoind"));
    assertThrows(IllegalStateException.class,
        () -> RegtestNode.binaryFrom(Map.of(RegtestNode.BINARY_VARIABLE, notExecutable.toString())));
    assertThrows(IllegalStateException.class,
        () -> RegtestNode.binaryFrom(Map.of(RegtestNode.BINARY_VARIABLE, dir.resolve("absent").toString())));
  }

  @Test
  void anExecutableIsUsed(@TempDir Path dir) throws IOException {
    Path bitcoind = Files.createFile(dir.resolve("bitcoind"));
    assertTrue(bitcoind.toFile().setExecutable(true));
    assertEquals(Optional.of(bitcoind.toAbsolutePath()),
        RegtestNode.binaryFrom(Map.of(RegtestNode.BINARY_VARIABLE, bitcoind.toString(), "CI", "true")));
  }
}
