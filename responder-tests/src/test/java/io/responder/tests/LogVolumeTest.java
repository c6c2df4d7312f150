package io.responder.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.responder.core.Block;
import io.responder.testkit.Appointment;
import io.responder.testkit.RecordingListener.Event;
import io.responder.testkit.TestTransaction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * B5.3 at volume: a block that changes many penalties logs a bounded number of lines at INFO. The
 * first ten of each kind of per-penalty line are at INFO, so a small tower sees its penalties by
 * txid; the others are at DEBUG; and the block's summary at INFO counts them all. The listener
 * still hears of every tracker.
 *
 * <p>Runs in an execution of its own (responder-tests' pom, "log-volume"), whose JVM logs the
 * Responder at INFO to a file that this test reads: a logging binding reads its settings once per
 * JVM, and the rest of the suite keeps the Responder at WARN. Elsewhere (an IDE run) it is skipped.
 */
class LogVolumeTest {
  private static final int PENALTIES = 30;

  Harness h = new Harness();

  @AfterEach
  void invariants() {
    h.checkInvariants();
  }

  @Test
  void aStormAndABlockOfConfirmationsLogTenLinesEachAndOneSummary() throws IOException {
    String file = System.getProperty("responder.logVolume.file");
    assumeTrue(file != null, "runs in responder-tests' log-volume execution, which logs the Responder at INFO to a file");
    Path log = Path.of(file);

    // Thirty disputes in one block, their penalties handed over, then lost from the node's mempool.
    List<Appointment> appointments = new ArrayList<>();
    for (int i = 0; i < PENALTIES; i++) {
      appointments.add(Appointment.random(h.rng));
    }
    h.deliver(h.chain.mineTransactions(appointments.stream().map(Appointment::dispute).toArray(TestTransaction[]::new)));
    appointments.forEach(h::handOver);
    appointments.forEach(a -> h.chain.dropFromMempool(a.penalty().txid()));

    int before = lines(log).size();
    h.mineEmptyAndDeliver(h.config.rebroadcastAfterMissed()); // the last of these sends all thirty again
    Block confirming = h.mineAndDeliver(); // and this one mines them
    List<String> written = lines(log).subList(before, lines(log).size());

    assertEquals(10, count(written, "INFO", "penalty missed too many blocks: rebroadcasting"), String.join("\n", written));
    assertEquals(0, count(written, "DEBUG", ""), "DEBUG is off in this JVM");
    assertEquals(10, count(written, "INFO", "penalty confirmed"), String.join("\n", written));
    List<String> summaries = written.stream().filter(l -> l.contains("INFO") && l.contains("block connected")).toList();
    // Seven blocks: the five that changed nothing log their line at DEBUG, off here.
    assertEquals(2, summaries.size(), "one summary at INFO per block that changed something: " + summaries);
    assertTrue(summaries.get(0).contains("penaltiesRebroadcast=" + PENALTIES) && summaries.get(0).contains("detailAtDebug=true"),
        summaries.get(0));
    assertTrue(summaries.get(1).contains("penaltiesConfirmed=" + PENALTIES) && summaries.get(1).contains("height="
        + confirming.height()), summaries.get(1));
    assertEquals(2 * PENALTIES, h.events.events(Event.Resent.class).size()
        + h.events.events(Event.Confirmed.class).size(),
        "the listener still hears of every tracker");
  }

  private static List<String> lines(Path log) throws IOException {
    return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
  }

  private static long count(List<String> lines, String level, String message) {
    return lines.stream().filter(l -> l.contains(" " + level + " ") && l.contains(message)).count();
  }
}
