package io.responder.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.responder.core.Block;
import io.responder.core.Responder;
import io.responder.micrometer.ResponderMeters;
import io.responder.store.inmemory.InMemoryTrackerStore;
import io.responder.testkit.Appointment;
import io.responder.testkit.FakeChain;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The monitoring glue README.md shows, on the test kit's chain and a real Micrometer registry. */
class MonitoringTest {
  private final FakeChain chain = FakeChain.atHeight(500);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Responder responder = Monitoring.startMetered(chain, chain, new InMemoryTrackerStore(), registry);

  @Test
  void theHealthEndpointSaysWhenTheNodeIsAwayAndTheMetersCountThePendingPenalty() {
    assertEquals(new Monitoring.HealthAnswer(200, "tip=500 behind=0 pending=0"), Monitoring.health(responder));

    Appointment a = Appointment.random(new Random(3));
    Block seen = chain.mineTransactions(a.dispute());
    responder.onBlock(seen);
    chain.nodeDown(true);
    responder.handleBreach(a.breach(seen.ref()));

    assertEquals(new Monitoring.HealthAnswer(503, "tip=501 behind=0 pending=1 lastFailure=BROADCAST/NodeUnavailable@501"),
        Monitoring.health(responder));
    assertEquals(1, registry.get(ResponderMeters.TRACKERS).tags("responder", "main", "state", "pending").gauge().value());
    assertEquals(0, registry.get(ResponderMeters.NODE_REACHABLE).gauge().value());

    chain.nodeDown(false);
    responder.onBlock(chain.mineEmpty()); // retried: the node takes it
    assertEquals(200, Monitoring.health(responder).status());
    assertEquals(1, registry.get(ResponderMeters.TRACKER_EVENTS).tag("event", "pending_retried").counter().count());
  }
}
