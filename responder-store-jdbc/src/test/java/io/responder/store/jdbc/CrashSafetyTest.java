package io.responder.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.responder.core.TrackerStore;
import io.responder.store.inmemory.InMemoryTrackerStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

/**
 * Crash safety with real processes: a child JVM plays a {@link Story} over a SQLite store and is
 * killed ({@code destroyForcibly}, SIGKILL) right after it reports commit k, so mostly inside commit
 * k+1. Reopening the database must then give exactly the state after commit k or after commit k+1,
 * as a replay of the same story over the in-memory store computes them: never half a block, never a
 * lost commit. Half of the kill points are aimed at block commits (those that move the tip and
 * change many trackers), half are anywhere. Each kill also checks that the dead process's lock
 * is released (the reopen succeeds) and some check that a live one's is not.
 *
 * <p>The kill points come from a seed printed on failure; set {@code -Dresponder.crash.seed=...} to
 * replay a run.
 */
class CrashSafetyTest {
  private static final long STORY_SEED = 4242L;
  private static final int STORY_ROUNDS = 4;
  private static final int STORY_BREACHES = 16;
  private static final Story STORY = new Story(STORY_SEED, STORY_ROUNDS, STORY_BREACHES);
  private static final int KILLS = 50;
  /** Two children at a time: the machine has two cores, and the children mostly wait on fsync. */
  private static final int PARALLEL = 2;

  @TempDir
  Path dir;

  /** One kill: where it was aimed, what the child reported, and which state the database held. */
  private record Outcome(int index, int killAfter, int lastReported, boolean inFlightLanded) {}

  @Test
  void aKilledResponderLeavesTheStateBeforeOrAfterTheInterruptedCommit() throws Exception {
    List<String> expected = new ArrayList<>();
    List<Boolean> movesTip = new ArrayList<>();
    int restartAfter = replay(expected, movesTip);
    int commits = expected.size() - 1;

    long seed = Long.getLong("responder.crash.seed", System.nanoTime());
    Random pick = new Random(seed);
    List<Integer> blockCommits = new ArrayList<>();
    for (int n = 2; n <= commits; n++) {
      if (movesTip.get(n)) {
        blockCommits.add(n);
      }
    }
    List<Integer> killPoints = new ArrayList<>();
    for (int i = 0; i < KILLS; i++) {
      if (checksLock(i)) {
        // Before the story's restart: while the child closes and reopens its store it holds no lock.
        killPoints.add(1 + pick.nextInt(restartAfter - 1));
      } else {
        killPoints.add(i % 2 == 0
            ? blockCommits.get(pick.nextInt(blockCommits.size())) - 1 // just before a block commit
            : 1 + pick.nextInt(commits - 1));
      }
    }

    ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
    List<Future<Outcome>> futures = new ArrayList<>();
    try {
      for (int i = 0; i < KILLS; i++) {
        int index = i;
        futures.add(pool.submit(() -> killOnce(index, killPoints.get(index), expected)));
      }
      int landed = 0;
      for (Future<Outcome> f : futures) {
        try {
          Outcome o = f.get(5, TimeUnit.MINUTES);
          landed += o.inFlightLanded() ? 1 : 0;
        } catch (ExecutionException e) {
          throw new AssertionError("kill points seed " + seed + " (rerun with -Dresponder.crash.seed=" + seed + "): "
              + e.getCause().getMessage(), e.getCause());
        }
      }
      System.out.printf("crash safety: %d kills over %d commits (seed %d): %d found the commit in flight applied,"
          + " %d found it absent%n", KILLS, commits, seed, landed, KILLS - landed);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Whether kill {@code index} also checks that the live child's lock keeps others out. */
  private static boolean checksLock(int index) {
    return index % 10 == 1;
  }

  /**
   * The fingerprint after every commit (index 0: nothing committed) and which commits move the tip.
   *
   * @return the number of commits before the story's restart
   */
  private static int replay(List<String> fingerprints, List<Boolean> movesTip) throws Exception {
    InMemoryTrackerStore memory = new InMemoryTrackerStore();
    fingerprints.add(Story.State.of(memory).fingerprint());
    movesTip.add(false);
    int[] counter = {0};
    int[] restartAfter = {0};
    Story.Observed.Observer record = (n, update, store) -> {
      fingerprints.add(Story.State.of(store).fingerprint());
      movesTip.add(update.tip().isPresent() && !update.touchesNoTracker());
    };
    STORY.play(new Story.Stores() {
      @Override
      public TrackerStore open() {
        return new Story.Observed(memory, counter, record);
      }

      @Override
      public TrackerStore restart(TrackerStore running) {
        restartAfter[0] = counter[0];
        return running;
      }
    });
    return restartAfter[0];
  }

  private Outcome killOnce(int index, int killAfter, List<String> expected) throws Exception {
    Path file = dir.resolve("kill-" + index + ".db");
    Path errors = dir.resolve("kill-" + index + ".err");
    SQLiteDataSource ds = new SQLiteDataSource();
    ds.setUrl("jdbc:sqlite:" + file);

    Process child = new ProcessBuilder(childCommand(file, checksLock(index) ? killAfter : -1))
        .redirectError(errors.toFile())
        .start();
    int last = 0;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
      try {
        while (last < killAfter) {
          String line = out.readLine();
          if (line == null || !line.startsWith("commit ")) {
            fail("kill " + index + ": the child stopped after commit " + last + " (" + line + "); its stderr:\n"
                + Files.readString(errors));
          }
          last = Integer.parseInt(line.substring("commit ".length()));
        }
        if (checksLock(index)) {
          // The child now waits right after commit killAfter, holding its store: probing the lock
          // cannot race its own close and reopen.
          String paused = out.readLine();
          if (!"paused".equals(paused)) {
            fail("kill " + index + ": expected the child to pause after commit " + killAfter + ", got " + paused);
          }
          // While it lives, the child owns the database.
          StoreLockedException e = assertThrows(StoreLockedException.class, () -> JdbcTrackerStore.open(ds).close());
          assertTrue(e.getMessage().contains("process " + child.pid()), e.getMessage());
        }
      } finally {
        // SIGKILL through the process handle: Process.destroyForcibly would also close our end of
        // the pipe, losing the lines the child wrote before it died.
        child.toHandle().destroyForcibly();
        child.waitFor();
      }
      // Lines the child wrote before it died: commits that certainly landed.
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.startsWith("commit ")) {
          last = Integer.parseInt(line.substring("commit ".length()));
        }
      }
    }

    String found;
    try (JdbcTrackerStore reopened = JdbcTrackerStore.open(ds)) { // the dead child's lock is gone
      found = Story.State.of(reopened).fingerprint();
    }
    if (found.equals(expected.get(last))) {
      return new Outcome(index, killAfter, last, false);
    }
    if (last + 1 < expected.size() && found.equals(expected.get(last + 1))) {
      return new Outcome(index, killAfter, last, true);
    }
    assertEquals(expected.get(last), found, "kill " + index + " after commit " + last
        + ": the database holds neither the state after commit " + last + " nor after commit " + (last + 1));
    throw new AssertionError("unreachable");
  }

  private List<String> childCommand(Path file, int pauseAfter) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return List.of(java,
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-Xmx256m",
        // sqlite-jdbc unpacks its native library per process; a killed child cannot delete its copy.
        "-Dorg.sqlite.tmpdir=" + Files.createDirectories(dir.resolve("native")),
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-cp", System.getProperty("java.class.path"),
        CrashChild.class.getName(), file.toString(), Long.toString(STORY_SEED), Integer.toString(STORY_ROUNDS),
        Integer.toString(STORY_BREACHES), Integer.toString(pauseAfter));
  }
}
