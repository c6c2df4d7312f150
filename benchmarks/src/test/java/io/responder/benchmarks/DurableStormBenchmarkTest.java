package io.responder.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

/** A tiny storm on SQLite: the benchmark runs, and every penalty goes again at each storm. No timing is checked. */
class DurableStormBenchmarkTest {

  @Test
  void everyPenaltyIsSentAgainAtEachStorm(@TempDir Path dir) {
    SQLiteDataSource ds = new SQLiteDataSource();
    ds.setUrl("jdbc:sqlite:" + dir.resolve("storm.db"));

    List<String> rows = new DurableStormBenchmark(50, 2).run(ds, "sqlite");

    assertEquals(2, rows.size(), rows.toString());
    for (int storm = 1; storm <= 2; storm++) {
      String row = rows.get(storm - 1);
      assertTrue(row.startsWith("row: store=sqlite trackers=50 storm=" + storm + " storm_ms="), row);
      assertTrue(row.contains(" rebroadcasts=50 "), row);
    }
  }
}
