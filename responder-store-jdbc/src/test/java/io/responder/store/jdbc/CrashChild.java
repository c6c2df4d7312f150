package io.responder.store.jdbc;

import java.io.PrintStream;
import java.nio.file.Path;
import org.sqlite.SQLiteDataSource;

/**
 * The process {@link CrashSafetyTest} kills: plays a {@link Story} over a SQLite store and prints
 * {@code commit <n>} on stdout after each commit the store applied. Arguments: database file,
 * story seed, rounds, breaches per round.
 */
public final class CrashChild {
  private CrashChild() {}

  /**
   * Plays the story.
   *
   * @param args database file, seed, rounds, breaches per round
   * @throws Exception whatever the story throws
   */
  public static void main(String[] args) throws Exception {
    SQLiteDataSource ds = new SQLiteDataSource();
    ds.setUrl("jdbc:sqlite:" + Path.of(args[0]));
    Story story = new Story(Long.parseLong(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
    PrintStream out = System.out;
    int[] counter = {0};
    story.play(new Story.Stores() {
      @Override
      public Story.Observed open() {
        return new Story.Observed(JdbcTrackerStore.open(ds), counter, (n, update, store) -> {
          out.println("commit " + n);
          out.flush();
        });
      }

      @Override
      public Story.Observed restart(io.responder.core.TrackerStore running) {
        ((JdbcTrackerStore) ((Story.Observed) running).delegate()).close();
        return open();
      }
    });
    out.println("done");
    out.flush();
  }
}
