package io.responder.micrometer;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.responder.core.ResponderHealth;
import io.responder.core.ResponderMetrics;
import io.responder.core.TrackerState;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * The Responder's metrics as Micrometer meters, registered once, when this object is made:
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>Name</th><th>Type</th><th>Tags</th><th>What it measures</th></tr>
 *   <tr><td>{@value #BLOCK_PROCESSING}</td><td>timer</td><td>{@code outcome}: {@code committed},
 *       {@code failed}</td><td>each connected block, from the first look at it to its commit, port
 *       calls included</td></tr>
 *   <tr><td>{@value #PORT_CALLS}</td><td>timer</td><td>{@code port} ({@code carrier},
 *       {@code block_source}, {@code store}), {@code call} (for example {@code broadcast},
 *       {@code commit}), {@code outcome} ({@code success}, {@code failure})</td><td>every call to the
 *       host's ports; a failure threw, or the carrier answered that the node could not be
 *       reached</td></tr>
 *   <tr><td>{@value #TRACKER_EVENTS}</td><td>counter</td><td>{@code event}: each
 *       {@link ResponderMetrics.Event} but blocks disconnected, in lower case (for example
 *       {@code penalty_rebroadcast}, {@code pending_retried}, {@code penalty_escalated})</td><td>what
 *       happened to trackers, one per tracker</td></tr>
 *   <tr><td>{@value #BLOCKS_DISCONNECTED}</td><td>counter</td><td></td><td>blocks taken off by
 *       reorganisations</td></tr>
 *   <tr><td>{@value #TRACKERS}</td><td>gauge</td><td>{@code state}: {@code pending},
 *       {@code in_mempool}, {@code confirmed}</td><td>trackers by state</td></tr>
 *   <tr><td>{@value #BLOCKS_BEHIND}</td><td>gauge</td><td></td><td>how far the tip is behind the
 *       node's best block (NaN until known)</td></tr>
 *   <tr><td>{@value #TIP_HEIGHT}</td><td>gauge</td><td></td><td>the height of the last block
 *       processed</td></tr>
 *   <tr><td>{@value #NODE_REACHABLE}</td><td>gauge</td><td></td><td>1 when the last call to the node
 *       succeeded, else 0</td></tr>
 *   <tr><td>{@value #STORE_WRITABLE}</td><td>gauge</td><td></td><td>1 when the last commit succeeded,
 *       else 0</td></tr>
 * </table>
 *
 * <p>Gauges read the last {@link ResponderHealth} the Responder published (NaN before the first);
 * timings are taken on the registry's clock, so a registry with a mock clock gives exact,
 * repeatable durations. Every meter carries the common tags given at construction, which tell two
 * Responders in one registry apart. Use one instance per Responder:
 *
 * <pre>{@code
 * ResponderMeters meters = new ResponderMeters(registry, Tags.of("responder", "main"));
 * Responder responder = Responder.builder().carrier(carrier).blockSource(source).store(store)
 *     .metrics(meters).start();
 * }</pre>
 *
 * <p>Thread-safe: meters are, and the health is held in a volatile field. Every method is a few
 * array reads and a meter update; none throws.
 *
 * @since 0.1.0
 */
public final class ResponderMeters implements ResponderMetrics {
  /** Timer of connected blocks. */
  public static final String BLOCK_PROCESSING = "responder.block.processing";
  /** Timer of calls to the host's carrier, block source and store. */
  public static final String PORT_CALLS = "responder.port.calls";
  /** Counter of what happened to trackers, by event. */
  public static final String TRACKER_EVENTS = "responder.tracker.events";
  /** Counter of blocks disconnected by reorganisations. */
  public static final String BLOCKS_DISCONNECTED = "responder.blocks.disconnected";
  /** Gauge of trackers, by state. */
  public static final String TRACKERS = "responder.trackers";
  /** Gauge of how many blocks the tip is behind the node's best block. */
  public static final String BLOCKS_BEHIND = "responder.blocks.behind";
  /** Gauge of the tip's height. */
  public static final String TIP_HEIGHT = "responder.tip.height";
  /** Gauge, 1 or 0: whether the last call to the node succeeded. */
  public static final String NODE_REACHABLE = "responder.node.reachable";
  /** Gauge, 1 or 0: whether the last store commit succeeded. */
  public static final String STORE_WRITABLE = "responder.store.writable";

  private static final int SUCCESS = 0;
  private static final int FAILURE = 1;

  private final Clock clock;
  /** By outcome: committed, failed. */
  private final Timer[] blocks = new Timer[2];
  /** By {@link PortCall} ordinal, then outcome: success, failure. */
  private final Timer[][] calls = new Timer[PortCall.values().length][2];
  /** By {@link Event} ordinal. */
  private final Counter[] events = new Counter[Event.values().length];
  private volatile @Nullable ResponderHealth health;

  /**
   * Registers the meters in {@code registry} with no common tags: for a registry that serves one
   * Responder.
   *
   * @param registry where the meters live
   */
  public ResponderMeters(MeterRegistry registry) {
    this(registry, Tags.empty());
  }

  /**
   * Registers the meters in {@code registry}, each with {@code commonTags}.
   *
   * @param registry where the meters live
   * @param commonTags tags every meter carries, for example which Responder it measures
   */
  public ResponderMeters(MeterRegistry registry, Iterable<Tag> commonTags) {
    Objects.requireNonNull(registry, "registry");
    Tags common = Tags.of(Objects.requireNonNull(commonTags, "commonTags"));
    this.clock = registry.config().clock();

    blocks[SUCCESS] = Timer.builder(BLOCK_PROCESSING).description("Processing of a connected block, port calls included")
        .tags(common).tag("outcome", "committed").register(registry);
    blocks[FAILURE] = Timer.builder(BLOCK_PROCESSING).description("Processing of a connected block, port calls included")
        .tags(common).tag("outcome", "failed").register(registry);
    for (PortCall call : PortCall.values()) {
      for (int outcome = SUCCESS; outcome <= FAILURE; outcome++) {
        calls[call.ordinal()][outcome] = Timer.builder(PORT_CALLS).description("Calls to the host's ports")
            .tags(common).tag("port", call.port().tag()).tag("call", call.tag())
            .tag("outcome", outcome == SUCCESS ? "success" : "failure").register(registry);
      }
    }
    for (Event event : Event.values()) {
      events[event.ordinal()] = event == Event.BLOCKS_DISCONNECTED
          ? Counter.builder(BLOCKS_DISCONNECTED).description("Blocks taken off by reorganisations").tags(common)
              .baseUnit("blocks").register(registry)
          : Counter.builder(TRACKER_EVENTS).description("What happened to trackers, one per tracker").tags(common)
              .tag("event", event.tag()).baseUnit("trackers").register(registry);
    }
    for (TrackerState state : TrackerState.values()) {
      gauge(registry, TRACKERS, "Trackers by state", common.and("state", state.name().toLowerCase(java.util.Locale.ROOT)),
          h -> h.trackers(state));
    }
    gauge(registry, BLOCKS_BEHIND, "Blocks the tip is behind the node's best block", common,
        h -> h.blocksBehind().isPresent() ? h.blocksBehind().getAsInt() : Double.NaN);
    gauge(registry, TIP_HEIGHT, "Height of the last block processed", common, h -> h.tip().height());
    gauge(registry, NODE_REACHABLE, "1 when the last call to the node succeeded", common, h -> h.nodeReachable() ? 1 : 0);
    gauge(registry, STORE_WRITABLE, "1 when the last store commit succeeded", common, h -> h.storeWritable() ? 1 : 0);
  }

  private void gauge(MeterRegistry registry, String name, String description, Tags tags,
      ToDoubleFunction<ResponderHealth> value) {
    // A strong reference: the registry must keep this object alive as long as the gauges (by default
    // it holds gauge objects weakly, and a Responder's metrics are often referenced by it alone).
    Gauge.builder(name, this, m -> {
      ResponderHealth h = m.health;
      return h == null ? Double.NaN : value.applyAsDouble(h);
    }).description(description).tags(tags).strongReference(true).register(registry);
  }

  /**
   * Returns the registry clock's monotonic time, so durations are measured on the registry's clock.
   *
   * @return nanoseconds
   */
  @Override
  public long nanoTime() {
    return clock.monotonicTime();
  }

  @Override
  public void blockProcessed(long nanos, boolean committed) {
    blocks[committed ? SUCCESS : FAILURE].record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void portCalled(PortCall call, long nanos, boolean succeeded) {
    calls[call.ordinal()][succeeded ? SUCCESS : FAILURE].record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void counted(Event event, int count) {
    events[event.ordinal()].increment(count);
  }

  @Override
  public void healthChanged(ResponderHealth health) {
    this.health = health;
  }
}
