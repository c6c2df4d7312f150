package io.responder.benchmarks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.responder.bitcoind.BitcoindBlockSource;
import io.responder.bitcoind.BitcoindConfig;
import io.responder.bitcoind.BitcoindRpc;
import io.responder.core.Block;
import io.responder.core.BlockHash;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code responder-bitcoind-rpc} reading a verbosity-1 {@code getblock} answer of 4,000 txids, through
 * its public {@link BitcoindBlockSource#block(BlockHash)}: the module's parser is package-private, so
 * the answer comes from a loopback HTTP server ({@code com.sun.net.httpserver}) serving it canned, in
 * bitcoind's member order. {@link #getbestblockhash()} makes the same round trip with a 64-character
 * answer: the difference between the two is the cost of carrying and parsing the block (about
 * 275 KB of JSON), the part that grows with the block.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
// Without TCP_NODELAY the JDK server's small answers wait out the client's delayed ACK (40 ms).
@Fork(value = 1, jvmArgsAppend = "-Dsun.net.httpserver.nodelay=true")
public class GetblockBenchmark {
  private static final int TXIDS = 4_000;

  private HttpServer server;
  private BitcoindBlockSource source;
  private BlockHash hash;

  /** Starts the server and the block source. */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    int height = 800_001;
    hash = SyntheticBreaches.blockHash(5, height);
    byte[] block = getblockAnswer(hash, SyntheticBreaches.blockHash(5, height - 1), height);
    byte[] best = ("{\"result\":\"" + hash.toHex() + "\",\"error\":null,\"id\":1}\n").getBytes(StandardCharsets.US_ASCII);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> answer(exchange, block, best));
    server.start();
    source = BitcoindRpc.create(BitcoindConfig.builder()
        .host(InetAddress.getLoopbackAddress().getHostAddress())
        .port(server.getAddress().getPort())
        .userPassword("bench", "bench")
        .build()).blockSource();
    Block b = source.block(hash);
    if (b.txids().size() != TXIDS) {
      throw new IllegalStateException("parsed " + b.txids().size() + " txids");
    }
  }

  /** Stops the server. */
  @TearDown(Level.Trial)
  public void tearDown() {
    server.stop(0);
  }

  /**
   * Fetches and parses the block.
   *
   * @return the block
   */
  @Benchmark
  public Block getblock() {
    return source.block(hash);
  }

  /**
   * The same round trip with a tiny answer.
   *
   * @return the best block's hash
   */
  @Benchmark
  public BlockHash getbestblockhash() {
    return source.bestBlockHash();
  }

  private static void answer(HttpExchange exchange, byte[] block, byte[] best) throws IOException {
    byte[] request;
    try (InputStream in = exchange.getRequestBody()) {
      request = in.readAllBytes();
    }
    String body = new String(request, StandardCharsets.UTF_8);
    byte[] out = body.contains("\"getblock\"") ? block : best;
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, out.length);
    try (OutputStream o = exchange.getResponseBody()) {
      o.write(out);
    }
  }

  /** A verbosity-1 answer as bitcoind writes it: header members first, the txids last. */
  static byte[] getblockAnswer(BlockHash hash, BlockHash previous, int height) {
    StringBuilder b = new StringBuilder(300_000);
    b.append("{\"result\":{\"hash\":\"").append(hash.toHex()).append("\",\"confirmations\":1,\"height\":").append(height)
        .append(",\"version\":536870912,\"versionHex\":\"20000000\",\"merkleroot\":\"")
        .append(SyntheticBreaches.fillerTxid(5, -1).toHex())
        .append("\",\"time\":1795477122,\"mediantime\":1795477121,\"nonce\":0,\"bits\":\"17034219\",")
        .append("\"target\":\"0000000000000000000342190000000000000000000000000000000000000000\",")
        .append("\"difficulty\":83148355189239.77,")
        .append("\"chainwork\":\"0000000000000000000000000000000000000000a0f3e2c5b1f0a2d3e4f5a6b7\",\"nTx\":")
        .append(TXIDS).append(",\"previousblockhash\":\"").append(previous.toHex())
        .append("\",\"strippedsize\":900000,\"size\":1500000,\"weight\":3993000,\"tx\":[");
    for (int i = 0; i < TXIDS; i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append('"').append(SyntheticBreaches.fillerTxid(5, i).toHex()).append('"');
    }
    b.append("]},\"error\":null,\"id\":1}\n");
    return b.toString().getBytes(StandardCharsets.US_ASCII);
  }
}
