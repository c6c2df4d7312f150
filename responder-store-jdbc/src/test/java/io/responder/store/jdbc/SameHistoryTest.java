package io.responder.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.TrackerStore;
import io.responder.store.inmemory.InMemoryTrackerStore;
import io.responder.store.jdbc.TestDatabase.Kind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The same history (breaches, confirmations, rebroadcasts, reorgs, a restart, completions) played
 * over the in-memory reference store and over each JDBC dialect passes through the same state after
 * every commit and ends in the same trackers and tip.
 */
class SameHistoryTest {
  private static final Story STORY = new Story(20261125L, 8, 20);

  @TempDir
  Path dir;

  /** The fingerprint of the store's state after each commit, and the final state. */
  private record Trace(List<String> fingerprints, Story.State end) {}

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aHistoryEndsInTheSameStateAsOnTheInMemoryStore(Kind kind) throws Exception {
    Trace reference = inMemory();
    assertTrue(reference.end().trackers().size() > 0 && reference.fingerprints().size() > 100,
        "the story leaves trackers in flight and commits a lot");

    try (TestDatabase db = kind.create(dir)) {
      List<String> fingerprints = new ArrayList<>();
      int[] counter = {0};
      Story.Observed.Observer record = (n, update, store) -> fingerprints.add(Story.State.of(store).fingerprint());
      TrackerStore end = STORY.play(new Story.Stores() {
        @Override
        public TrackerStore open() {
          return new Story.Observed(db.open(), counter, record);
        }

        @Override
        public TrackerStore restart(TrackerStore running) {
          return new Story.Observed(db.reopen((JdbcTrackerStore) ((Story.Observed) running).delegate()), counter, record);
        }
      });
      Trace trace = new Trace(fingerprints, Story.State.of(end));

      assertEquals(reference.end(), trace.end());
      assertEquals(reference.fingerprints().size(), trace.fingerprints().size(), "number of commits");
      for (int i = 0; i < reference.fingerprints().size(); i++) {
        assertEquals(reference.fingerprints().get(i), trace.fingerprints().get(i), "state after commit " + (i + 1));
      }
    }
  }

  private static Trace inMemory() throws Exception {
    List<String> fingerprints = new ArrayList<>();
    int[] counter = {0};
    Story.Observed.Observer record = (n, update, store) -> fingerprints.add(Story.State.of(store).fingerprint());
    InMemoryTrackerStore memory = new InMemoryTrackerStore();
    TrackerStore end = STORY.play(new Story.Stores() {
      @Override
      public TrackerStore open() {
        return new Story.Observed(memory, counter, record);
      }

      @Override
      public TrackerStore restart(TrackerStore running) {
        return running; // a new Responder over the same memory, as after a restart
      }
    });
    return new Trace(fingerprints, Story.State.of(end));
  }
}
