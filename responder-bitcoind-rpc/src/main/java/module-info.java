/**
 * A {@link io.responder.core.Carrier} and a {@link io.responder.core.BlockSource} over bitcoind's
 * HTTP JSON-RPC interface (the JDK's HTTP client and streaming Jackson), with an optional block
 * poller.
 *
 * @since 0.1.0
 */
module io.responder.bitcoind {
  requires transitive io.responder.core;
  requires java.net.http;
  requires com.fasterxml.jackson.core;
  requires org.slf4j;
  requires static transitive org.jspecify;

  exports io.responder.bitcoind;
}
