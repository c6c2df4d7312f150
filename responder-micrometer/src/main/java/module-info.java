/**
 * Binds the Responder's {@link io.responder.core.ResponderMetrics} port to Micrometer:
 * {@link io.responder.micrometer.ResponderMeters}.
 *
 * @since 0.1.0
 */
// Micrometer's jars are automatic modules (named by their manifests): requiring them, and passing
// micrometer.core on to hosts whose code hands us a MeterRegistry, is what they are for.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.responder.micrometer {
  requires transitive io.responder.core;
  requires transitive micrometer.core;
  requires static transitive org.jspecify;

  exports io.responder.micrometer;
}
