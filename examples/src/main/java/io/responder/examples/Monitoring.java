package io.responder.examples;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.responder.core.BlockSource;
import io.responder.core.Carrier;
import io.responder.core.Responder;
import io.responder.core.ResponderHealth;
import io.responder.core.TrackerStore;
import io.responder.micrometer.ResponderMeters;

/**
 * How a host operates the Responder: its meters in the host's Micrometer registry, and its health
 * behind the host's health endpoint. README.md's "Operating it" shows excerpts of this class
 * (between the {@code tag::} markers), and a test checks they stay identical.
 *
 * <p>Stateless; the methods are thread-safe as the Responder is.
 */
public final class Monitoring {
  /**
   * How far behind the node's best block still counts as healthy: the host's chain loop may hand
   * over a block while the Responder is still busy with the one before it.
   */
  static final int MAX_BLOCKS_BEHIND = 2;

  private Monitoring() {}

  /**
   * Starts a Responder whose meters live in {@code registry}.
   *
   * @param carrier how transactions reach the node
   * @param blockSource where missing blocks come from
   * @param store where trackers persist
   * @param registry the host's meter registry (Prometheus, StatsD, JMX...)
   * @return the running Responder
   */
  public static Responder startMetered(Carrier carrier, BlockSource blockSource, TrackerStore store,
      MeterRegistry registry) {
    // tag::metrics[]
    Responder responder = Responder.builder()
        .carrier(carrier)
        .blockSource(blockSource)
        .store(store)
        .metrics(new ResponderMeters(registry, Tags.of("responder", "main"))) // responder-micrometer
        .start();
    // end::metrics[]
    return responder;
  }

  /**
   * What the host's health endpoint answers for the Responder.
   *
   * @param status an HTTP status: 200 when the Responder keeps up, 503 when it does not
   * @param body one line for the operator
   */
  public record HealthAnswer(int status, String body) {}

  /**
   * Answers a health check from the Responder's last published health: no lock taken, no store read,
   * so a load balancer may poll it as often as it likes.
   *
   * @param responder the Responder
   * @return the answer
   */
  public static HealthAnswer health(Responder responder) {
    // tag::health[]
    ResponderHealth health = responder.health();          // lock-free: the snapshot of the last call
    boolean up = health.isHealthy(MAX_BLOCKS_BEHIND);     // node reachable, store writable, caught up
    String body = "tip=" + health.tip().height()
        + " behind=" + health.blocksBehind().orElse(-1)   // -1: the node's best block is not known yet
        + " pending=" + health.pending()
        + health.lastFailure().map(f -> " lastFailure=" + f.call() + "/" + f.kind() + "@" + f.tipHeight()).orElse("");
    return new HealthAnswer(up ? 200 : 503, body);
    // end::health[]
  }
}
