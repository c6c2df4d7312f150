package io.responder.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.responder.core.BlockRef;
import io.responder.core.StoreUpdate;
import io.responder.core.TrackerStore;
import io.responder.core.TransactionTracker;
import io.responder.store.inmemory.InMemoryTrackerStore;
import io.responder.testkit.ForwardingTrackerStore;
import io.responder.testkit.sim.DeliveryStyle;
import io.responder.testkit.sim.History;
import io.responder.testkit.sim.Simulation;
import io.responder.testkit.sim.SimulationOptions;
import io.responder.testkit.sim.SimulationResult;
import io.responder.testkit.sim.Step;
import io.responder.testkit.sim.Violation;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Randomised chain histories (breaches, reorganisations, gaps, node faults, rejections, crashes)
 * against the reference model of the test kit: nothing handed over is lost, nothing completes early
 * (issue #7). Since issue #11 the histories also carry unchecked failures of store reads, the block
 * source and the carrier (the host retrying the failed call), a node without a transaction index, a
 * block source failing while the carrier works, a node lagging behind the watcher, reorganisations
 * after which the node's mempool lost the disconnected transactions, and a node coming back while
 * breaches are pending; see the rules of {@code ReferenceModel}.
 *
 * <p>CI runs 1,000 seeds. {@code -Dresponder.sim.seeds=10000} runs more, {@code
 * -Dresponder.sim.firstSeed=N} starts elsewhere, and {@code -Dresponder.sim.seed=N} reruns one seed,
 * printing its shrunk history and a trace of it. For example:
 * {@code ./mvnw -o -pl responder-tests -am test -Dtest=SimulationTest -Dsurefire.failIfNoSpecifiedTests=false -Dresponder.sim.seeds=10000}.
 */
class SimulationTest {
  static final SimulationOptions OPTIONS = SimulationOptions.of(InMemoryTrackerStore::new);

  @Test
  void generatedHistoriesKeepEveryGuarantee() {
    String one = System.getProperty(Simulation.SEED_PROPERTY);
    int seeds = Integer.getInteger("responder.sim.seeds", 1000);
    long first = Long.getLong("responder.sim.firstSeed", 1);
    Simulation.Report report = one != null
        ? Simulation.runSeeds(Long.parseLong(one), 1, OPTIONS, 1)
        : Simulation.runSeeds(first, seeds, OPTIONS, Math.max(2, Runtime.getRuntime().availableProcessors()));
    System.out.println("simulation: " + report.seeds() + " seeds: " + report.stats().summary());
    assertTrue(report.failures().isEmpty(), report::describeFailures);
  }

  /** The shrunk histories of the bugs the simulation found, replayed as they were printed. */
  static Stream<Arguments> foundHistories() {
    return Stream.of(
        Arguments.of("a pending penalty refused for good at start, its commit's acknowledgement lost: the rejection never told",
            new History(1197208L, new History.Params(14, 4, 17, 60), DeliveryStyle.MIXED, List.of(
                new Step.HandOver(789546977150148654L, Step.HandOverKind.PENALTY_MINED_UNSEEN, 720, false, -1, 0),
                new Step.FlushingReorg(4396400651958933838L, 4, 0, 0),
                new Step.Reject(-3977376284183129643L, 37, -22),
                new Step.Crash(-2623105797934348248L, Step.CrashMode.LOST_ACK, 6),
                new Step.Crash(3330830705765097533L, Step.CrashMode.RESTART, 1)))),
        Arguments.of("the same after a reorganisation and other breaches",
            new History(1258382L, new History.Params(15, 6, 21, 57), DeliveryStyle.SKIPPING, List.of(
                new Step.HandOver(-7772108761175549237L, Step.HandOverKind.FRESH, 922, false, -1, 0),
                new Step.FlushingReorg(375775813798953363L, 5, 1, 0),
                new Step.HandOver(2520416079934050364L, Step.HandOverKind.FRESH, 832, true, 13, 0),
                new Step.HandOver(8704909708548587230L, Step.HandOverKind.PENALTY_MINED, 89, false, 19, 0),
                new Step.HandOver(-3884250236967033458L, Step.HandOverKind.PENALTY_MINED_UNSEEN, 655, false, 12, 0),
                new Step.HandOver(4569179011481845616L, Step.HandOverKind.FRESH, 280, false, 6, 0),
                new Step.HandOver(1215632560699645374L, Step.HandOverKind.SIBLING, 244, true, -1, 0),
                new Step.HandOver(-1233811546449867468L, Step.HandOverKind.FRESH, 536, false, -1, 0),
                new Step.Crash(-7807432358561900642L, Step.CrashMode.LOST_ACK, 4),
                new Step.Reject(7832300688433320847L, 686, -22),
                new Step.Crash(8511142047892095053L, Step.CrashMode.RESTART, 6)))),
        Arguments.of("a breach without its raw dispute, joining a pending penalty whose other breach brought it, sent the penalty alone to a node lacking the dispute",
            new History(764190L, new History.Params(18, 6, 25, 63), DeliveryStyle.SKIPPING, List.of(
                new Step.HandOver(3633069799779373923L, Step.HandOverKind.PENALTY_MINED, 303, false, -1, 0),
                new Step.HandOver(-5003154966536583136L, Step.HandOverKind.LATE_WATCHER, 506, false, -1, 0),
                new Step.HandOver(-5384340748071607201L, Step.HandOverKind.PENALTY_MINED, 803, false, 3, -25),
                new Step.HandOver(8370418332293804337L, Step.HandOverKind.PENALTY_MINED_UNSEEN, 237, true, 30, 0),
                new Step.HandOver(-4922938520070422210L, Step.HandOverKind.PENALTY_MINED_UNSEEN, 509, true, 38, 0),
                new Step.HandOver(-6772990744901970801L, Step.HandOverKind.PENALTY_MINED_UNSEEN, 895, false, -1, 0),
                new Step.FlushingReorg(2109610185781117068L, 2, 0, 0),
                new Step.HandOver(7321279352580926791L, Step.HandOverKind.LATE_WATCHER, 726, true, -1, -25),
                new Step.Crash(-7511771479788736072L, Step.CrashMode.DIE_AT_CALL, 5),
                new Step.Reorg(2715684937200943778L, 2, 2, 0),
                new Step.HandOver(3582033945928880364L, Step.HandOverKind.SIBLING, 145, true, -1, -26),
                new Step.Mine(6450838936443863447L, 100),
                new Step.HandOver(4648379273234504973L, Step.HandOverKind.SIBLING, 373, false, -1, 0)))),
        Arguments.of("the model's: a refusal for good, the same penalty sent again in that call to a carrier that threw, the event lost in a crash",
            new History(468050L, new History.Params(20, 4, 26, 67), DeliveryStyle.ONE_AT_A_TIME, List.of(
                new Step.Crash(52405614280320743L, Step.CrashMode.DIE_AFTER_COMMIT, 7),
                new Step.MineEmpty(6822959790311367354L, 4),
                new Step.PortFault(-2209201601733907388L, Step.Port.CARRIER, 4),
                new Step.NodeDown(-4464283635685803034L, 2),
                new Step.HandOver(8737544680196402679L, Step.HandOverKind.FRESH, 739, true, -1, -25),
                new Step.Mine(-5450929538585406043L, 60)))),
        Arguments.of("the model's: a count restarted at the fork of a reorganisation, in the same call as a refused send",
            new History(324152L, new History.Params(20, 5, 26, 70), DeliveryStyle.MIXED, List.of(
                new Step.HandOver(-5193727324549160849L, Step.HandOverKind.FRESH, 962, true, 2, 0),
                new Step.HandOver(-6952824428447782136L, Step.HandOverKind.PENALTY_MINED_UNSEEN, 259, true, 17, 0),
                new Step.Gap(3560635590332044610L, 2, 0),
                new Step.HandOver(-2005552170588042219L, Step.HandOverKind.LATE_WATCHER, 490, true, -1, 0),
                new Step.MineEmpty(-1813626256314582464L, 4),
                new Step.Mine(-6750372093413653494L, 100),
                new Step.HandOver(-2847632038153017437L, Step.HandOverKind.FRESH, 862, true, 6, 0),
                new Step.Mine(7366791158992049651L, 30),
                new Step.Mine(-1202720801961714106L, 100),
                new Step.HandOver(-6023447114545157784L, Step.HandOverKind.FRESH, 622, true, 25, 0),
                new Step.FlushingReorg(3875807237090672459L, 5, 0, 0),
                new Step.Mine(-2465222573550443211L, 0),
                new Step.Reorg(-8903392066209377873L, 1, 2, 50),
                new Step.HandOver(-13717950810613972L, Step.HandOverKind.FRESH, 257, true, -1, 0),
                new Step.Mine(-1705662527228016398L, 100),
                new Step.Gap(395012209388471186L, 4, 50),
                new Step.Mine(-5331271390262013215L, 60),
                new Step.Mine(2293017289977721466L, 100),
                new Step.HandOver(-4284214456109414310L, Step.HandOverKind.SIBLING, 159, false, -1, 0),
                new Step.HandOver(-4547312903237560115L, Step.HandOverKind.FRESH, 95, true, -1, 0),
                new Step.HandOver(-7858446450257795908L, Step.HandOverKind.PENALTY_MINED, 90, true, 35, 0),
                new Step.MineEmpty(-7528744298046180603L, 4),
                new Step.Reorg(7533596144041968350L, 30, 1, 0),
                new Step.MineEmpty(8302100922442255896L, 4),
                new Step.HandOver(-5173783785246794585L, Step.HandOverKind.AGAIN, 543, true, -1, 0),
                new Step.Drop(-5893762621647094390L, 903, false),
                new Step.Reject(-6668167794949223625L, 879, -22),
                new Step.PortFault(-7159284403260825803L, Step.Port.STORE_READ, 4),
                new Step.Disconnect(-2438828230645104635L, 1),
                new Step.HandOver(-5389221922755940539L, Step.HandOverKind.FRESH, 946, false, -1, 0)))),
        Arguments.of("a penalty refused for a missing dispute while catching up, then sent with it to a carrier that threw",
            new History(140679L, new History.Params(19, 4, 27, 66), DeliveryStyle.TWICE, List.of(
                new Step.HandOver(-269911040551881758L, Step.HandOverKind.SIBLING, 206, false, 33, 0),
                new Step.HandOver(-8595667601740555745L, Step.HandOverKind.LATE_WATCHER, 904, true, -1, 0),
                new Step.HandOver(839282256103400835L, Step.HandOverKind.FRESH, 12, false, -1, 0),
                new Step.Reorg(2741432987619089955L, 10, 2, 0),
                new Step.HandOver(8818585842116485980L, Step.HandOverKind.SIBLING, 350, false, 9, 0),
                new Step.HandOver(-5362862180045688749L, Step.HandOverKind.FRESH, 656, false, -1, -22),
                new Step.FlushingReorg(-4850937173173386183L, 1, 2, 100),
                new Step.HandOver(3169644889650700742L, Step.HandOverKind.FRESH, 685, true, -1, 0),
                new Step.HandOver(4775126246290827966L, Step.HandOverKind.SIBLING, 300, true, -1, 0),
                new Step.Gap(414525843296510225L, 1, 50),
                new Step.PortFault(6639038702955963200L, Step.Port.CARRIER, 3),
                new Step.HandOver(-7087479871290280918L, Step.HandOverKind.SIBLING, 472, true, -1, 0)))),
        Arguments.of("already-confirmed penalty located at the responder's tip while the node was ahead",
            new History(1L, new History.Params(14, 5, 15, 58), DeliveryStyle.SKIPPING, List.of(
                new Step.HandOver(6137546356583794141L, Step.HandOverKind.PENALTY_MINED_UNSEEN, 473, false, -1, 0)))),
        Arguments.of("the same with the block source down",
            new History(6L, new History.Params(19, 3, 27, 75), DeliveryStyle.TIP_ONLY, List.of(
                new Step.SourceDown(-7513663925175630729L, 3),
                new Step.HandOver(222877336681518316L, Step.HandOverKind.PENALTY_MINED, 42, true, 16, 0)))),
        Arguments.of("intake commit applied but reported failed",
            new History(176L, new History.Params(17, 6, 20, 50), DeliveryStyle.TWICE, List.of(
                new Step.HandOver(46234572446560576L, Step.HandOverKind.FRESH, 136, true, -1, 0),
                new Step.Crash(2298663556364723778L, Step.CrashMode.LOST_ACK, 8),
                new Step.HandOver(-8266262275830633107L, Step.HandOverKind.SIBLING, 142, true, 6, 0)))),
        Arguments.of("penalty confirmed below the fork of a reorg deeper than the window",
            new History(5L, new History.Params(10, 4, 18, 52), DeliveryStyle.ONE_AT_A_TIME, List.of(
                new Step.HandOver(-2101899784331914950L, Step.HandOverKind.FRESH, 402, true, -1, 0),
                new Step.Reorg(-2185924381829462318L, 20, 3, 50)))),
        Arguments.of("receipt cache kept across a disconnection",
            new History(114L, new History.Params(12, 4, 20, 50), DeliveryStyle.SKIPPING, List.of(
                new Step.HandOver(-1883840891784278123L, Step.HandOverKind.PENALTY_MINED, 456, true, 13, 0),
                new Step.Reorg(1145231271259391187L, 3, 0, 0)))),
        Arguments.of("pending tracker expired although its penalty was mined",
            new History(257L, new History.Params(15, 4, 20, 66), DeliveryStyle.SKIPPING, List.of(
                new Step.HandOver(-7928242036725741912L, Step.HandOverKind.FRESH, 337, false, 9, 0),
                new Step.Reorg(8798630840867650287L, 3, 1, 100),
                new Step.Mine(-3272620041026286015L, 100),
                new Step.Mine(5158937106697459135L, 100),
                new Step.MineEmpty(337891006611789793L, 2),
                new Step.MineEmpty(-2482386338995812391L, 4),
                new Step.MineEmpty(-8671327170147301241L, 2),
                new Step.Mine(8371211975293267959L, 30),
                new Step.NodeDown(5064982291596248857L, 4),
                new Step.HandOver(-4079112481735709769L, Step.HandOverKind.AGAIN, 496, true, -1, 0)))),
        Arguments.of("confirmation below the fork found by a deep reorg kept: early completion",
            new History(3209L, new History.Params(12, 5, 15, 50), DeliveryStyle.MIXED, List.of(
                new Step.HandOver(-6162568189508104859L, Step.HandOverKind.FRESH, 522, true, -1, 0),
                new Step.Reorg(-804551634547899304L, 1, 1, 100),
                new Step.Gap(-7349495933447557821L, 5, 50),
                new Step.Disconnect(-6281714931467381742L, 3),
                new Step.Gap(4763096714280705975L, 2, 100),
                new Step.MineEmpty(8442593579403071324L, 3),
                new Step.Reorg(-868545506555952959L, 3, 1, 50),
                new Step.Mine(-837040119921706818L, 30),
                new Step.Mine(-6089576473107419991L, 100),
                new Step.Reorg(1340806232571490788L, 2, 2, 50),
                new Step.MineEmpty(-1815621686052627388L, 3),
                new Step.HandOver(-2262193148434780690L, Step.HandOverKind.SIBLING, 411, true, -1, 0),
                new Step.Reorg(8177714043483678546L, 19, 3, 0)))),
        Arguments.of("confirmation the node reported above the tip kept when a reorg confirmed it lower",
            new History(43961L, new History.Params(10, 6, 18, 51), DeliveryStyle.TWICE, List.of(
                new Step.Gap(-2247061963892123394L, 4, 100),
                new Step.SourceDown(2287928229407074993L, 4),
                new Step.Mine(1585778031187698031L, 100),
                new Step.HandOver(1398907889154600208L, Step.HandOverKind.PENALTY_MINED, 380, false, 3, 0),
                new Step.Reorg(-7245406047335250920L, 7, 0, 50)))),
        Arguments.of("expired in the block the node came back, before the deep reorg was re-learnt",
            new History(68726L, new History.Params(15, 4, 22, 70), DeliveryStyle.ONE_AT_A_TIME, List.of(
                new Step.Reorg(876524602020058527L, 7, 2, 100),
                new Step.Reorg(4725447612844158011L, 3, 2, 0),
                new Step.Gap(1253880702335196531L, 1, 50),
                new Step.HandOver(-8391153983983859395L, Step.HandOverKind.FRESH, 492, false, -1, 0),
                new Step.HandOver(-4151446870197336859L, Step.HandOverKind.PENALTY_MINED, 395, true, -1, 0),
                new Step.HandOver(5140626990989951221L, Step.HandOverKind.FRESH, 796, true, 10, 0),
                new Step.MineEmpty(-8091980633175700004L, 1),
                new Step.Gap(-7409255492199869957L, 1, 0),
                new Step.Mine(7341468222453830250L, 100),
                new Step.Mine(-221023105593560231L, 0),
                new Step.NodeDown(7108881172039732518L, 4),
                new Step.Mine(4332078067695444502L, 100),
                new Step.Mine(-2974810625929826715L, 60),
                new Step.Reorg(-8204597989304555637L, 24, 1, 100),
                new Step.NodeDown(-8313805926574178426L, 4),
                new Step.HandOver(-7851209832202989199L, Step.HandOverKind.FRESH, 359, true, -1, 0),
                new Step.Mine(-8741795309085131769L, 100)))),
        // Issue #11: the fault classes the simulation could not produce before. Each fails on the
        // core the issue was filed against, with the rule named.
        Arguments.of("#11.1 store read failing mid-block consumed the rebroadcast schedule (not-rebroadcast)",
            new History(5L, new History.Params(12, 3, 16, 60), DeliveryStyle.ONE_AT_A_TIME, List.of(
                new Step.HandOver(3L, Step.HandOverKind.FRESH, 0, true, -1, 0),
                new Step.PortFault(1L, Step.Port.STORE_READ, 1),
                new Step.MineEmpty(4L, 3),
                new Step.Drop(5L, 0, false),
                new Step.MineEmpty(6L, 4)))),
        Arguments.of("#11.1 block source throwing IllegalStateException mid-call left memory ahead of the store (inconsistent)",
            new History(813L, new History.Params(15, 4, 18, 65), DeliveryStyle.TWICE, List.of(
                new Step.Gap(816575235505448347L, 5, 100),
                new Step.HandOver(-2562135428587940985L, Step.HandOverKind.FRESH, 626, true, -1, 0),
                new Step.HandOver(-106153370401626646L, Step.HandOverKind.PENALTY_MINED, 647, false, 2, 0),
                new Step.PortFault(-4676831536425158935L, Step.Port.BLOCK_SOURCE, 2),
                new Step.Reorg(-1855179652266748102L, 7, 0, 50)))),
        Arguments.of("#11.2 block source down, carrier working, no -txindex: confirmation placed early (wrong-confirmation)",
            new History(12L, new History.Params(20, 4, 27, 70), DeliveryStyle.HOST_DISCONNECTS, List.of(
                new Step.TxIndex(7490023937847531712L, false),
                new Step.Gap(43924964651018866L, 2, 50),
                new Step.SourceDown(1315217456070624658L, 3),
                new Step.HandOver(9134505403377612053L, Step.HandOverKind.PENALTY_MINED, 679, false, -1, 0)))),
        Arguments.of("#11.3 node lagging the watcher: -25 dropped the breach (dropped-while-ambiguous)",
            new History(55L, new History.Params(19, 6, 26, 65), DeliveryStyle.SKIPPING, List.of(
                new Step.NodeLags(8620374298661658065L, 1),
                new Step.HandOver(-2168017139877012934L, Step.HandOverKind.FRESH, 688, false, -1, 0)))),
        Arguments.of("#11.3 node lagging the watcher, raw dispute handed over: not sent, breach dropped (dropped-while-ambiguous, dispute-not-first)",
            new History(6L, new History.Params(19, 3, 27, 75), DeliveryStyle.TIP_ONLY, List.of(
                new Step.NodeLags(7311086656553526765L, 1),
                new Step.HandOver(-6154354513147922537L, Step.HandOverKind.FRESH, 100, true, -1, 0)))),
        Arguments.of("#11.4 re-mined dispute forgotten after a second reorg with an empty mempool (dispute-not-first)",
            new History(15L, new History.Params(16, 4, 17, 54), DeliveryStyle.TIP_ONLY, List.of(
                new Step.HandOver(-694538165036954362L, Step.HandOverKind.FRESH, 504, true, -1, 0),
                new Step.FlushingReorg(4469569323237691455L, 4, 0, 0),
                new Step.Mine(6949821621596134925L, 100),
                new Step.FlushingReorg(3905158506390179132L, 3, 0, 0)))),
        Arguments.of("#11.4 rebroadcast refused by the node recorded as in the mempool (refused-as-accepted)",
            new History(5L, new History.Params(10, 4, 18, 52), DeliveryStyle.ONE_AT_A_TIME, List.of(
                new Step.HandOver(-8107321549588985717L, Step.HandOverKind.FRESH, 469, true, -1, 0),
                new Step.Reject(522152705992494906L, 840, -22)))),
        Arguments.of("#11.5 breach handled out of sync never learns its dispute height; reorg with an empty mempool (dispute-not-first)",
            new History(5L, new History.Params(12, 3, 16, 60), DeliveryStyle.ONE_AT_A_TIME, List.of(
                new Step.Gap(1L, 1, 0),
                new Step.SourceDown(2L, 2),
                new Step.HandOver(3L, Step.HandOverKind.FRESH, 0, true, -1, 0),
                new Step.MineEmpty(4L, 3),
                new Step.FlushingReorg(5L, 5, 1, 0)))),
        Arguments.of("#11.6 node back: syncWithBlockSource() does not retry pending penalties (pending-not-retried)",
            new History(3L, new History.Params(16, 2, 22, 53), DeliveryStyle.ONE_AT_A_TIME, List.of(
                new Step.NodeDown(6350047306473681955L, 3),
                new Step.HandOver(8269832793983847178L, Step.HandOverKind.FRESH, 584, true, -1, 0),
                new Step.NodeBack(-108393213776499678L)))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("foundHistories")
  void aHistoryThatOnceFailedPasses(String bug, History history) {
    SimulationResult result = Simulation.run(history, OPTIONS);
    assertTrue(result.passed(), () -> bug + ": " + result.violation().orElseThrow() + "\n  "
        + String.join("\n  ", Simulation.trace(history, OPTIONS).trace()));
  }

  /**
   * The model has teeth and the shrinker shrinks: a store that silently loses every tracker of a
   * user with a subscription end is caught, and the failure is shrunk to a handful of steps that
   * still fail the same way.
   */
  @Test
  void aStoreThatLosesTrackersIsCaughtAndTheHistoryShrunk() {
    SimulationOptions leaky = SimulationOptions.of(LosingStore::new).withShrinkRuns(200);
    Simulation.Report report = Simulation.runSeeds(1, 10, leaky, 2);

    assertFalse(report.failures().isEmpty(), "a store that loses trackers went unnoticed");
    Simulation.Failure f = report.failures().get(0);
    assertTrue(f.shrunk().steps().size() < f.original().steps().size());
    assertTrue(f.shrunk().steps().size() <= 3, f.describe());
    assertEquals(f.violation().rule(), f.shrunkViolation().rule());
    assertEquals(Optional.of(f.shrunkViolation().rule()),
        Simulation.run(f.shrunk(), leaky).violation().map(Violation::rule), "the shrunk history fails when replayed");
    assertTrue(f.describe().contains("-D" + Simulation.SEED_PROPERTY + "=" + f.seed()), f.describe());
    assertTrue(f.describe().contains("new Step.HandOver("), f.describe());
  }

  /** Drops every added tracker that has a subscription end, and otherwise behaves. */
  static final class LosingStore extends ForwardingTrackerStore {
    final InMemoryTrackerStore delegate = new InMemoryTrackerStore();

    @Override
    protected TrackerStore delegate() {
      return delegate;
    }

    @Override
    public void commit(StoreUpdate update) {
      List<TransactionTracker> kept = update.added().stream().filter(t -> t.subscriptionEndHeight().isEmpty()).toList();
      delegate.commit(new StoreUpdate(kept, update.statusChanges(), update.removed(), update.tip()));
    }
  }
}
