package io.responder.bitcoind;

import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.Txid;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A scripted bitcoind over real HTTP, for stories that need a chain that moves: blocks are mined
 * and disconnected by the test, transactions the test registered can be sent, and the node can be
 * made unreachable or warming up. It answers the calls this module makes, in the shapes recorded from
 * a real regtest node (legacy JSON-RPC: errors with HTTP 500; batches answered in order with HTTP
 * 200), with chunked bodies so that answers arrive in pieces.
 *
 * <p>Instances are thread-safe.
 */
final class FakeBitcoind implements AutoCloseable {
  /** How the node answers. */
  enum Mode {
    UP,
    /** Reads the request and closes the connection without a word, like a node that went away. */
    DROPS_CONNECTIONS,
    /** Answers every call with -28. */
    WARMING_UP
  }

  private final TestHttpServer server;
  private final List<Block> chain = new ArrayList<>(); // the best chain, by height; [0] is the genesis stand-in
  private final Map<BlockHash, Block> blocks = new HashMap<>();
  private final Set<Txid> mempool = new LinkedHashSet<>();
  private final Map<String, Txid> transactions = new HashMap<>();
  private final Map<String, Integer> calls = new HashMap<>();
  private int httpRequests;
  private int batchRequests;
  private int counter;
  private Mode mode = Mode.UP;
  private int padding;
  private Runnable onRequest = () -> {};

  /** A node whose best chain is {@code height} blocks of coinbases only above a first block. */
  FakeBitcoind(int height) {
    Block first = new Block(hash("block", 0), hash("parent of the first", 0), 1, List.of(txid("coinbase", 1)));
    // Height 0 has no parent in the core's Block type; the fake starts its chain at height 1.
    chain.add(null);
    chain.add(first);
    blocks.put(first.hash(), first);
    counter = 1;
    for (int h = 2; h <= height; h++) {
      mine();
    }
    server = new TestHttpServer(this::handle);
  }

  BitcoindConfig.Builder config() {
    return server.config().userPassword("fake", "fake");
  }

  // -----------------------------------------------------------------------------------------------
  // The test's levers

  /** Mines a block with the coinbase, the mempool and {@code extra}; the mempool is emptied. */
  synchronized Block mine(Txid... extra) {
    List<Txid> txids = new ArrayList<>();
    txids.add(txid("coinbase", ++counter));
    txids.addAll(mempool);
    txids.addAll(List.of(extra));
    mempool.clear();
    return append(txids);
  }

  /** Mines a block with exactly these txids after a coinbase; the mempool keeps the others. */
  synchronized Block mineWith(List<Txid> txids) {
    mempool.removeAll(txids);
    List<Txid> all = new ArrayList<>();
    all.add(txid("coinbase", ++counter));
    all.addAll(txids);
    return append(all);
  }

  synchronized List<Block> mineEmpty(int n) {
    List<Block> mined = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      mined.add(append(List.of(txid("coinbase", ++counter))));
    }
    return mined;
  }

  private Block append(List<Txid> txids) {
    Block tip = chain.get(chain.size() - 1);
    Block b = new Block(hash("block", ++counter), tip.hash(), tip.height() + 1, txids);
    chain.add(b);
    blocks.put(b.hash(), b);
    return b;
  }

  /** Takes the tip off the best chain (the node keeps it); its transactions return to the mempool. */
  synchronized Block disconnectTip() {
    Block gone = chain.remove(chain.size() - 1);
    mempool.addAll(gone.txids().subList(1, gone.txids().size()));
    return gone;
  }

  /** Puts transactions in the mempool, as if relayed to the node. */
  synchronized void enterMempool(Txid... txids) {
    mempool.addAll(List.of(txids));
  }

  /** Lets {@code sendrawtransaction} accept this transaction. */
  synchronized void knowTransaction(Txid txid, String rawHex) {
    transactions.put(rawHex, txid);
  }

  /**
   * Makes every {@code getblock} answer list {@code txids} more txids after the block's own, made up
   * from the block's height as they are written: full-sized blocks for memory tests, without the
   * fake holding them (the client's parsed block then has those txids too).
   */
  synchronized void padBlocks(int txids) {
    this.padding = txids;
  }

  synchronized void setMode(Mode mode) {
    this.mode = mode;
  }

  /** Runs at every HTTP request, before it is answered. */
  synchronized void onEveryRequest(Runnable r) {
    this.onRequest = r;
  }

  synchronized BlockRef tip() {
    return chain.get(chain.size() - 1).ref();
  }

  synchronized Block blockAt(int height) {
    return chain.get(height);
  }

  synchronized Set<Txid> mempool() {
    return Set.copyOf(mempool);
  }

  synchronized int calls(String method) {
    return calls.getOrDefault(method, 0);
  }

  synchronized int httpRequests() {
    return httpRequests;
  }

  synchronized int batchRequests() {
    return batchRequests;
  }

  // -----------------------------------------------------------------------------------------------
  // The node

  /** An RPC error answer. */
  private static final class RpcFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int code;

    RpcFailure(int code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }

  @FunctionalInterface
  private interface Result {
    void write(JsonGenerator g) throws IOException;
  }

  private void handle(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    Runnable hook;
    Mode current;
    synchronized (this) {
      httpRequests++;
      hook = onRequest;
      current = mode;
    }
    hook.run();
    if (current == Mode.DROPS_CONNECTIONS) {
      return; // the server closes the exchange without headers: the connection just ends
    }
    Optional<RpcRequest.Parsed> parsed = RpcRequest.parse(body);
    if (parsed.isEmpty()) {
      TestHttpServer.respond(exchange, 500, "application/json",
          "{\"result\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"},\"id\":null}\n".getBytes(StandardCharsets.US_ASCII));
      return;
    }
    boolean batch = parsed.get().batch();
    List<RpcRequest> requests = parsed.get().calls();
    List<Result> results = new ArrayList<>();
    List<RpcFailure> failures = new ArrayList<>();
    synchronized (this) {
      if (batch) {
        batchRequests++;
      }
      for (RpcRequest r : requests) {
        calls.merge(r.method(), 1, Integer::sum);
        try {
          results.add(current == Mode.WARMING_UP ? warmingUp() : answer(r));
          failures.add(null);
        } catch (RpcFailure f) {
          results.add(null);
          failures.add(f);
        }
      }
    }
    int status = batch || failures.get(0) == null ? 200 : failures.get(0).code == -32601 ? 404 : 500;
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, 0); // chunked
    try (OutputStream out = exchange.getResponseBody();
         JsonGenerator g = RpcRequest.JSON.createGenerator(out)) {
      if (batch) {
        g.writeStartArray();
      }
      for (int i = 0; i < requests.size(); i++) {
        g.writeStartObject();
        g.writeFieldName("result");
        if (results.get(i) != null) {
          results.get(i).write(g);
        } else {
          g.writeNull();
        }
        g.writeFieldName("error");
        if (failures.get(i) != null) {
          g.writeStartObject();
          g.writeNumberField("code", failures.get(i).code);
          g.writeStringField("message", failures.get(i).getMessage());
          g.writeEndObject();
        } else {
          g.writeNull();
        }
        g.writeFieldName("id");
        g.writeRawValue(requests.get(i).idJson());
        g.writeEndObject();
      }
      if (batch) {
        g.writeEndArray();
      }
      g.writeRaw('\n');
    }
  }

  private static Result warmingUp() {
    throw new RpcFailure(-28, "Loading block index\u2026");
  }

  private Result answer(RpcRequest r) {
    switch (r.method()) {
      case "getblockchaininfo": {
        BlockRef tip = tip();
        return g -> {
          g.writeStartObject();
          g.writeStringField("chain", "regtest");
          g.writeNumberField("blocks", tip.height());
          g.writeNumberField("headers", tip.height());
          g.writeStringField("bestblockhash", tip.hash().toHex());
          g.writeBooleanField("initialblockdownload", false);
          g.writeArrayFieldStart("warnings");
          g.writeEndArray();
          g.writeEndObject();
        };
      }
      case "getbestblockhash": {
        String hex = tip().hash().toHex();
        return g -> g.writeString(hex);
      }
      case "getblockhash": {
        int height = Integer.parseInt(r.param(0));
        if (height < 0 || height >= chain.size() || chain.get(height) == null) {
          throw new RpcFailure(-8, "Block height out of range");
        }
        String hex = chain.get(height).hash().toHex();
        return g -> g.writeString(hex);
      }
      case "getblock":
      case "getblockheader": {
        Block b = blocks.get(blockHashParam(r, 0));
        if (b == null) {
          throw new RpcFailure(-5, "Block not found");
        }
        int confirmations = confirmations(b);
        boolean withTxids = r.method().equals("getblock");
        int extra = padding;
        return g -> {
          g.writeStartObject();
          g.writeStringField("hash", b.hash().toHex());
          g.writeNumberField("confirmations", confirmations);
          g.writeNumberField("height", b.height());
          g.writeNumberField("version", 536870912);
          g.writeNumberField("nTx", b.txids().size() + extra);
          g.writeStringField("previousblockhash", b.previousHash().toHex());
          if (withTxids) {
            g.writeArrayFieldStart("tx");
            for (Txid t : b.txids()) {
              g.writeString(t.toHex());
            }
            writePaddingTxids(g, b.height(), extra);
            g.writeEndArray();
          }
          g.writeEndObject();
        };
      }
      case "sendrawtransaction": {
        Txid txid = transactions.get(r.param(0));
        if (txid == null) {
          throw new RpcFailure(-22, "TX decode failed. Make sure the tx has at least one input.");
        }
        if (confirmedBlock(txid).isPresent()) {
          throw new RpcFailure(-27, "Transaction outputs already in utxo set");
        }
        mempool.add(txid);
        return g -> g.writeString(txid.toHex());
      }
      case "getrawtransaction": {
        Txid txid = Txid.fromHex(r.param(0));
        if (r.params().size() > 2) {
          Block b = blocks.get(blockHashParam(r, 2));
          if (b == null || !b.txids().contains(txid)) {
            throw new RpcFailure(-5, "No such transaction found in the provided block.");
          }
          int confirmations = Math.max(0, confirmations(b));
          boolean active = confirmations(b) > 0;
          return g -> {
            g.writeStartObject();
            g.writeBooleanField("in_active_chain", active);
            g.writeStringField("txid", txid.toHex());
            g.writeStringField("blockhash", b.hash().toHex());
            g.writeNumberField("confirmations", confirmations);
            g.writeEndObject();
          };
        }
        if (!mempool.contains(txid)) {
          throw new RpcFailure(-5, "No such mempool transaction. Use -txindex or provide a block hash to enable"
              + " blockchain transaction queries. Use gettransaction for wallet transactions.");
        }
        return g -> {
          g.writeStartObject();
          g.writeStringField("txid", txid.toHex());
          g.writeEndObject();
        };
      }
      case "getmempoolentry": {
        if (!mempool.contains(Txid.fromHex(r.param(0)))) {
          throw new RpcFailure(-5, "Transaction not in mempool");
        }
        return g -> {
          g.writeStartObject();
          g.writeNumberField("vsize", 110);
          g.writeEndObject();
        };
      }
      default:
        throw new RpcFailure(-32601, "Method not found");
    }
  }

  /** Distinct made-up txids: "ee", the height and the index in hex, over a fixed pattern. */
  private static void writePaddingTxids(JsonGenerator g, int height, int count) throws IOException {
    char[] hex = ("ee" + "0123456789abcdef".repeat(4)).substring(0, 64).toCharArray();
    for (int i = 0; i < count; i++) {
      long tag = (long) height << 32 | i;
      for (int d = 0; d < 16; d++) {
        hex[2 + d] = Character.forDigit((int) (tag >>> (60 - 4 * d)) & 0xf, 16);
      }
      g.writeString(hex, 0, hex.length);
    }
  }

  private static BlockHash blockHashParam(RpcRequest r, int i) {
    return BlockHash.fromHex(r.param(i));
  }

  private int confirmations(Block b) {
    Block onChain = b.height() < chain.size() ? chain.get(b.height()) : null;
    return onChain != null && onChain.hash().equals(b.hash()) ? chain.size() - b.height() : -1;
  }

  private Optional<Block> confirmedBlock(Txid txid) {
    return chain.stream().skip(1).filter(b -> b.txids().contains(txid)).findFirst();
  }

  private static BlockHash hash(String kind, int n) {
    return BlockHash.fromDisplayBytes(sha256(kind + n));
  }

  static Txid txid(String kind, int n) {
    return Txid.fromDisplayBytes(sha256(kind + n));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
