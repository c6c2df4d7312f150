package io.responder.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.responder.core.Block;
import io.responder.testkit.Appointment;
import io.responder.testkit.RecordingListener.Event;
import io.responder.testkit.TestTransaction;
import io.responder.testkit.Transactions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * B5.3 at volume: a call that changes many penalties logs a bounded number of lines. The first ten
 * of each kind of per-penalty line are at the kind's level (INFO for a confirmation, WARN for a
 * refused rebroadcast, ERROR for a deadline passed), so a small tower sees its penalties by txid;
 * the others are at DEBUG; and the call's summary counts them all, at the level of the most severe
 * kind it counts. The listener still hears of every tracker.
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

  @Test
  void aStormTheNodeRefusesLogsTenWarningsAndOneSummaryAtWarn() throws IOException {
    Path log = logFile();
    // Penalties at 2 sat/vB, their disputes at 10, funded by outputs the chain has seen: fees it can judge.
    List<TestTransaction> fundings = new ArrayList<>();
    for (int i = 0; i < PENALTIES; i++) {
      fundings.add(Transactions.funding(h.rng, 1_000_000));
    }
    h.deliver(h.chain.mineTransactions(fundings.toArray(TestTransaction[]::new)));
    List<Appointment> appointments = fundings.stream().map(f -> Appointment.withFeerates(h.rng, f, 0, 10, 2)).toList();
    h.deliver(h.chain.mineTransactions(appointments.stream().map(Appointment::dispute).toArray(TestTransaction[]::new)));
    appointments.forEach(h::handOver);
    // The node's mempool fills up: its minimum feerate rises above every penalty's, which evicts them
    // and refuses them when they are sent again.
    h.chain.mempoolMinFeerate(50);

    int before = lines(log).size();
    h.mineEmptyAndDeliver(h.config.rebroadcastAfterMissed()); // the last of these sends all thirty again
    List<String> written = lines(log).subList(before, lines(log).size());

    List<Event.Resent> resent = h.events.events(Event.Resent.class);
    assertEquals(PENALTIES, resent.size(), "the listener still hears of every tracker");
    assertTrue(resent.stream().noneMatch(r -> r.result().delivered()), resent.toString());
    assertEquals(10, count(written, "WARN", "rebroadcast refused"), String.join("\n", written));
    List<String> summaries = summaries(written, "block connected");
    assertEquals(1, summaries.size(), summaries.toString());
    assertTrue(summaries.get(0).contains(" WARN ") && summaries.get(0).contains("rebroadcastsRefused=" + PENALTIES)
        && summaries.get(0).contains("detailAtDebug=true"), "the summary is as severe as its worst kind: " + summaries.get(0));
  }

  @Test
  void aReorganisationThatDisconnectsThirtyDisputesLogsTenLinesAndCountsThemAll() throws IOException {
    Path log = logFile();
    List<Appointment> appointments = breachedTogether();
    appointments.forEach(h::handOver);
    h.mineAndDeliver(); // the penalties confirm

    int before = lines(log).size();
    h.chain.disconnect(2); // the disputes' block and the penalties'
    List<Block> branch = h.chain.mineEmpty(3);
    h.deliver(branch.get(2));
    List<String> written = lines(log).subList(before, lines(log).size());

    assertEquals(10, count(written, "INFO", "dispute disconnected: re-sent before its penalty"), String.join("\n", written));
    List<String> summaries = summaries(written, "penalties sent back after a reorganisation");
    assertEquals(1, summaries.size(), String.join("\n", written));
    assertTrue(summaries.get(0).contains("disputesResent=" + PENALTIES) && summaries.get(0).contains("detailAtDebug=true"),
        summaries.get(0));
  }

  @Test
  void thirtyPenaltiesAtRiskAndPastTheirDeadlineLogTenLinesOfEachAndSummariesAsSevere() throws IOException {
    Path log = logFile();
    List<Appointment> appointments = new ArrayList<>();
    for (int i = 0; i < PENALTIES; i++) {
      appointments.add(Appointment.random(h.rng));
    }
    Block disputes = h.deliver(h.chain.mineTransactions(appointments.stream().map(Appointment::dispute).toArray(TestTransaction[]::new)));
    int before = lines(log).size();
    for (Appointment a : appointments) {
      h.responder.handleBreach(a.breachBuilder(disputes.hash()).toSelfDelay(14).build());
    }
    h.mineEmptyAndDeliver(4); // 10 blocks left: inside the default window of 12, for all thirty in one block
    h.mineEmptyAndDeliver(11); // and past the deadline, unconfirmed: the blocks stay empty
    List<String> written = lines(log).subList(before, lines(log).size());

    assertEquals(10, count(written, "WARN", "penalty at risk"), String.join("\n", written));
    assertEquals(10, count(written, "ERROR", "deadline passed"), String.join("\n", written));
    assertEquals(1, summaries(written, "block connected").stream()
        .filter(l -> l.contains(" WARN ") && l.contains("penaltiesAtRisk=" + PENALTIES)).count(), String.join("\n", written));
    assertEquals(1, summaries(written, "block connected").stream()
        .filter(l -> l.contains(" ERROR ") && l.contains("deadlinesPassed=" + PENALTIES)).count(), String.join("\n", written));
    assertEquals(PENALTIES, h.events.events(Event.AtRisk.class).size(), "the listener still hears of every tracker");
  }

  /** Thirty disputes mined in one block and delivered; their penalties not handed over yet. */
  private List<Appointment> breachedTogether() {
    List<Appointment> appointments = new ArrayList<>();
    for (int i = 0; i < PENALTIES; i++) {
      appointments.add(Appointment.random(h.rng));
    }
    h.deliver(h.chain.mineTransactions(appointments.stream().map(Appointment::dispute).toArray(TestTransaction[]::new)));
    return appointments;
  }

  private static Path logFile() {
    String file = System.getProperty("responder.logVolume.file");
    assumeTrue(file != null, "runs in responder-tests' log-volume execution, which logs the Responder at INFO to a file");
    return Path.of(file);
  }

  private static List<String> summaries(List<String> written, String message) {
    return written.stream().filter(l -> l.contains(message) && !l.contains(" DEBUG ")).toList();
  }

  private static List<String> lines(Path log) throws IOException {
    return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
  }

  private static long count(List<String> lines, String level, String message) {
    return lines.stream().filter(l -> l.contains(" " + level + " ") && l.contains(message)).count();
  }
}
