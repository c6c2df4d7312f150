package io.responder.benchmarks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.Breach;
import io.responder.core.Txid;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams a workload trace (the JSON Lines format {@link TraceGenerator} writes) to a
 * {@link Visitor}, one line at a time, keeping none of it. A breach is seen in the trace's start
 * block: every dispute is mined at or below the start height. Not thread-safe.
 */
final class TraceReader implements Closeable {
  /** Receives the lines of a trace in order. */
  interface Visitor {
    /**
     * The first line.
     *
     * @param start the chain tip the Responder starts from
     */
    void start(BlockRef start);

    /**
     * A penalty mined before the start.
     *
     * @param txid the penalty
     * @param height where it was mined
     */
    void confirmed(Txid txid, int height);

    /**
     * A breach to hand over, not yet validated: {@link Breach.Builder#build()} validates it (parses
     * the penalty, hashes it), which is part of what a host pays to hand a breach over.
     *
     * @param breach the breach, seen in the start block
     */
    void breach(Breach.Builder breach);

    /**
     * A block to hand to {@code onBlock}.
     *
     * @param block the block
     */
    void block(Block block);
  }

  private static final JsonFactory JSON = new JsonFactory();

  private final JsonParser parser;
  private BlockHash startHash;

  TraceReader(Path path) throws IOException {
    this.parser = JSON.createParser(path.toFile());
  }

  /**
   * Reads the next line and hands it to the visitor.
   *
   * @param visitor where it goes
   * @return false at the end of the trace
   * @throws IOException on a read error or a line that is not a trace line
   */
  boolean next(Visitor visitor) throws IOException {
    JsonToken t = parser.nextToken();
    if (t == null) {
      return false;
    }
    if (t != JsonToken.START_OBJECT) {
      throw bad("expected an object");
    }
    String op = null;
    String hash = null;
    String prev = null;
    String txid = null;
    long height = -1;
    List<Txid> txids = null;
    Breach.Builder breach = null;
    String uuid = null;
    String locator = null;
    String disputeTxid = null;
    String disputeRaw = null;
    String penaltyTxid = null;
    String penaltyRaw = null;
    String userId = null;
    long expiry = -1;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      JsonToken v = parser.nextToken();
      switch (name) {
        case "op" -> op = parser.getText();
        case "hash" -> hash = parser.getText();
        case "prev" -> prev = parser.getText();
        case "txid" -> txid = parser.getText();
        case "height" -> height = parser.getLongValue();
        case "uuid" -> uuid = parser.getText();
        case "locator" -> locator = parser.getText();
        case "dispute_txid" -> disputeTxid = parser.getText();
        case "dispute_rawtx" -> disputeRaw = v == JsonToken.VALUE_NULL ? null : parser.getText();
        case "penalty_txid" -> penaltyTxid = parser.getText();
        case "penalty_rawtx" -> penaltyRaw = parser.getText();
        case "user_id" -> userId = parser.getText();
        case "expiry_height" -> expiry = v == JsonToken.VALUE_NULL ? -1 : parser.getLongValue();
        case "txids" -> {
          if (v != JsonToken.START_ARRAY) {
            throw bad("txids must be an array");
          }
          txids = new ArrayList<>(4096);
          while (parser.nextToken() == JsonToken.VALUE_STRING) {
            txids.add(Txid.fromHex(parser.getText()));
          }
        }
        default -> parser.skipChildren();
      }
    }
    if (op == null) {
      throw bad("a line has no op");
    }
    switch (op) {
      case "start" -> {
        startHash = BlockHash.fromHex(hash);
        visitor.start(new BlockRef(startHash, (int) height));
      }
      case "confirmed" -> visitor.confirmed(Txid.fromHex(txid), (int) height);
      case "breach" -> {
        if (startHash == null) {
          throw bad("a breach before the start line");
        }
        breach = Breach.builder().uuid(uuid).locator(locator).disputeTxid(disputeTxid).disputeRawTx(disputeRaw)
            .penaltyTxid(penaltyTxid).penaltyRawTx(penaltyRaw).userId(userId).seenInBlock(startHash);
        if (expiry >= 0) {
          breach.subscriptionEndHeight((int) expiry);
        }
        visitor.breach(breach);
      }
      case "block" -> visitor.block(new Block(BlockHash.fromHex(hash), BlockHash.fromHex(prev), (int) height,
          txids == null ? List.of() : txids));
      default -> throw bad("unknown op " + op);
    }
    return true;
  }

  private IOException bad(String problem) {
    return new IOException("not a trace line (" + problem + ") at " + parser.currentLocation());
  }

  @Override
  public void close() throws IOException {
    parser.close();
  }
}
