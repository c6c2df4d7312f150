package io.responder.store.jdbc;

import java.io.PrintStream;
import java.nio.file.Path;
import org.sqlite.SQLiteDataSource;

/**
 * The process {@link CrashSafetyTest} kills: plays a {@link Story} over a SQLite store and prints
 * {@code commit <n>} on stdout after each commit the store applied. Arguments: database file,
 * story seed, rounds, breaches per round, and optionally a commit after which to print
 * {@code paused} and wait on stdin (so the parent can probe the lock while the child certainly holds
 * it, instead of racing the story's own close and reopen).
 */
public final class CrashChild {
  private CrashChild() {}

  /**
   * Plays the story.
   *
   * @param args database file, seed, rounds, breaches per round[, commit to pause after]
   * @throws Exception whatever the story throws
   */
  public static void main(String[] args) throws Exception {
    SQLiteDataSource ds = new SQLiteDataSource();
    ds.setUrl("jdbc:sqlite:" + Path.of(args[0]));
    Story story = new Story(Long.parseLong(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
    PrintStream out = System.out;
    int pauseAfter = args.length > 4 ? Integer.parseInt(args[4]) : -1;
    java.io.BufferedReader in = new java.io.BufferedReader(
        new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.US_ASCII));
    int[] counter = {0};
    story.play(new Story.Stores() {
      @Override
      public Story.Observed open() {
        return new Story.Observed(JdbcTrackerStore.open(ds), counter, (n, update, store) -> {
          out.println("commit " + n);
          out.flush();
          if (n == pauseAfter) {
            out.println("paused");
            out.flush();
            try {
              in.readLine(); // the parent kills us while we wait
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }
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
