package io.responder.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.responder.core.BlockSource;
import io.responder.core.Carrier;
import io.responder.core.Responder;
import io.responder.testkit.FakeChain;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

/** The snippet of {@link JdbcTrackerStore}'s javadoc, compiled and run so that it cannot rot. */
class UsageExampleTest {
  @TempDir
  Path dir;

  @Test
  void theJavadocSnippetRuns() {
    FakeChain chain = FakeChain.atHeight(10);
    Carrier carrier = chain;
    BlockSource source = chain;
    Path file = dir.resolve("responder.db");

    // The snippet, as in the javadoc:
    SQLiteDataSource sqlite = new SQLiteDataSource(); // org.xerial:sqlite-jdbc
    sqlite.setUrl("jdbc:sqlite:" + file);              // e.g. /var/lib/watchtower/responder.db
    try (JdbcTrackerStore store = JdbcTrackerStore.open(sqlite)) {
      Responder responder = Responder.builder().store(store).carrier(carrier).blockSource(source).start();
      // hand breaches to responder.handleBreach, blocks to responder.onBlock, until shutdown
      responder.onBlock(chain.mineEmpty());
      assertEquals(chain.tip(), responder.tip());
    }

    try (JdbcTrackerStore reopened = JdbcTrackerStore.open(sqlite)) {
      assertEquals(chain.tip(), reopened.loadTip().orElseThrow());
    }
  }
}
