package io.responder.bitcoind;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.responder.bitcoind.JsonRpcClient.ResultReader;
import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.InvalidInputException;
import io.responder.core.Txid;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Streaming readers of the {@code result} of each call this module makes. Each reads only the
 * members it needs and skips the rest token by token: a block's txids go straight from the parser
 * into the list, and nothing builds a tree. Stateless; thread-safe.
 */
final class Answers {
  private Answers() {}

  /** The fields of {@code getblock <hash> 1} the Responder needs, and the block's depth. */
  record FetchedBlock(Block block, int confirmations) {
    /** bitcoind reports -1 confirmations for a block that is not on its best chain. */
    boolean onBestChain() {
      return confirmations > 0;
    }
  }

  /** The fields of {@code getblockheader <hash> true} used here. */
  record Header(BlockHash hash, int height, int confirmations) {
    boolean onBestChain() {
      return confirmations > 0;
    }
  }

  /**
   * Where {@code getrawtransaction <txid> true [blockhash]} places a transaction.
   *
   * @param block the block holding it, or null when it is in the mempool
   * @param confirmations its depth, 0 when in the mempool or in a block off the best chain
   * @param inActiveChain bitcoind's {@code in_active_chain}, only present when a block was named
   */
  record TxLocation(@Nullable BlockHash block, int confirmations, @Nullable Boolean inActiveChain) {
    /** In a block of the best chain, as of the answer. */
    boolean confirmedOnBestChain() {
      return block != null && confirmations > 0 && !Boolean.FALSE.equals(inActiveChain);
    }
  }

  static final ResultReader<String> STRING = p -> text(p, "result");

  static final ResultReader<Integer> INT = p -> integer(p, "result");
  /** A serialised transaction as hex ({@code getrawtransaction} without verbosity). */
  static final ResultReader<byte[]> RAW_TRANSACTION = p -> {
    try {
      return java.util.HexFormat.of().parseHex(text(p, "result"));
    } catch (IllegalArgumentException e) {
      throw new BadAnswerException("result is not a hex string of whole bytes");
    }
  };

  static final ResultReader<BlockHash> BLOCK_HASH = p -> blockHash(p, "result");

  static final ResultReader<Txid> TXID = p -> {
    String hex = text(p, "result");
    try {
      return Txid.fromHex(hex);
    } catch (InvalidInputException e) {
      throw new BadAnswerException("result is not a txid");
    }
  };

  /** {@code getmempoolentry}: any entry means the transaction is in the mempool. */
  static final ResultReader<Boolean> PRESENT = p -> {
    p.skipChildren();
    return Boolean.TRUE;
  };

  /** {@code getblockchaininfo}: the tip's hash and height, from one consistent snapshot. */
  static final ResultReader<BlockRef> CHAIN_TIP = p -> {
    expectObject(p, "getblockchaininfo result");
    BlockHash best = null;
    int blocks = -1;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      switch (name) {
        case "bestblockhash" -> best = blockHash(p, name);
        case "blocks" -> blocks = integer(p, name);
        default -> p.skipChildren();
      }
    }
    if (best == null || blocks < 0) {
      throw new BadAnswerException("getblockchaininfo result lacks bestblockhash or blocks");
    }
    return new BlockRef(best, blocks);
  };

  /** {@code getblockheader <hash> true}. */
  static final ResultReader<Header> HEADER = p -> {
    expectObject(p, "header");
    BlockHash hash = null;
    int height = -1;
    Integer confirmations = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      switch (name) {
        case "hash" -> hash = blockHash(p, name);
        case "height" -> height = integer(p, name);
        case "confirmations" -> confirmations = integer(p, name);
        default -> p.skipChildren();
      }
    }
    if (hash == null || height < 0 || confirmations == null) {
      throw new BadAnswerException("header lacks hash, height or confirmations");
    }
    return new Header(hash, height, confirmations);
  };

  /** {@code getblock <hash> 1}: txids only, streamed into the list as they are parsed. */
  static final ResultReader<FetchedBlock> BLOCK = p -> {
    expectObject(p, "block");
    BlockHash hash = null;
    BlockHash previous = null;
    int height = -1;
    Integer confirmations = null;
    List<Txid> txids = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (name) {
        case "hash" -> hash = blockHash(p, name);
        case "previousblockhash" -> previous = blockHash(p, name);
        case "height" -> height = integer(p, name);
        case "confirmations" -> confirmations = integer(p, name);
        case "tx" -> {
          if (v != JsonToken.START_ARRAY) {
            throw new BadAnswerException("block's tx is not an array");
          }
          txids = new ArrayList<>();
          while (p.nextToken() == JsonToken.VALUE_STRING) {
            txids.add(txid(p));
          }
          if (p.currentToken() != JsonToken.END_ARRAY) {
            throw new BadAnswerException("block's tx holds something other than txids (was verbosity 1 asked for?)");
          }
        }
        default -> p.skipChildren();
      }
    }
    if (hash == null || height < 0 || confirmations == null || txids == null) {
      throw new BadAnswerException("block lacks hash, height, confirmations or tx");
    }
    if (previous == null) {
      throw new BadAnswerException("block at height " + height + " has no previousblockhash (the genesis block cannot be served)");
    }
    try {
      return new FetchedBlock(new Block(hash, previous, height, txids), confirmations);
    } catch (InvalidInputException e) {
      throw new BadAnswerException("block is inconsistent: " + e.getMessage());
    }
  };

  /** {@code getrawtransaction <txid> true [blockhash]}: only where the transaction is. */
  static final ResultReader<TxLocation> TX_LOCATION = p -> {
    expectObject(p, "transaction");
    BlockHash block = null;
    int confirmations = 0;
    Boolean inActiveChain = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (name) {
        case "blockhash" -> block = blockHash(p, name);
        case "confirmations" -> confirmations = integer(p, name);
        case "in_active_chain" -> {
          if (v != JsonToken.VALUE_TRUE && v != JsonToken.VALUE_FALSE) {
            throw new BadAnswerException("in_active_chain is not a boolean");
          }
          inActiveChain = v == JsonToken.VALUE_TRUE;
        }
        default -> p.skipChildren(); // hex, vin, vout, ...: never read, never logged
      }
    }
    return new TxLocation(block, confirmations, inActiveChain);
  };

  // -----------------------------------------------------------------------------------------------

  static void expectObject(JsonParser p, String what) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw new BadAnswerException(what + " is not an object");
    }
  }

  static String text(JsonParser p, String field) throws IOException {
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      throw new BadAnswerException(field + " is not a string");
    }
    return p.getText();
  }

  static int integer(JsonParser p, String field) throws IOException {
    if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
      throw new BadAnswerException(field + " is not an integer");
    }
    return p.getIntValue();
  }

  private static BlockHash blockHash(JsonParser p, String field) throws IOException {
    String hex = text(p, field);
    try {
      return BlockHash.fromHex(field, hex);
    } catch (InvalidInputException e) {
      throw new BadAnswerException(field + " is not a block hash");
    }
  }

  private static Txid txid(JsonParser p) throws IOException {
    try {
      return Txid.fromHex(p.getText());
    } catch (InvalidInputException e) {
      throw new BadAnswerException("block's tx holds a value that is not a txid");
    }
  }
}
