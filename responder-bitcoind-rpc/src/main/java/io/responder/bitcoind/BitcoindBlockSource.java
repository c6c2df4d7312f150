package io.responder.bitcoind;

import io.responder.bitcoind.JsonRpcClient.Params;
import io.responder.bitcoind.JsonRpcClient.Reply;
import io.responder.core.Block;
import io.responder.core.BlockHash;
import io.responder.core.BlockRef;
import io.responder.core.BlockSource;
import io.responder.core.BlockSourceException;
import io.responder.core.Txid;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BlockSource} over bitcoind: {@code getblockchaininfo} for the best block,
 * {@code getblock <hash> 1} (txids only, parsed as a stream) for blocks, {@code getblockhash} for
 * heights, {@code getrawtransaction <txid> false <hash>} for a transaction of a block. Obtain one from {@link BitcoindRpc#blockSource()}.
 *
 * <h2>Requirements</h2>
 * {@link #block(BlockHash)} serves blocks that are no longer on the best chain too (bitcoind keeps
 * them and answers with {@code confirmations: -1}), so that the Responder can walk back a stale
 * branch; {@link #isOnBestChain(BlockHash)} tells which is which. Beyond the port, the batch methods
 * {@link #blockHashesAt(int, int)} and {@link #blocks(List)} fetch many in one round trip; the
 * {@link BlockPoller} uses them to catch up.
 *
 * <h2>Threading</h2>
 * Instances are thread-safe. Each method blocks for at most about the configured request timeout,
 * and never calls back into the Responder.
 *
 * <h2>Errors</h2>
 * Failures are {@link BlockSourceException}s whose cause is the {@link BitcoindException}:
 * transient for transport failures, authentication failures and warm-up; persistent for RPC errors
 * (an unknown block, -5) and malformed answers, among them a block or header of another hash than
 * the one asked for ({@link BitcoindException.MalformedResponse}).
 *
 * @since 0.1.0
 */
public final class BitcoindBlockSource implements BlockSource {
  private static final Logger log = LoggerFactory.getLogger(BitcoindBlockSource.class);

  /**
   * Calls per batch request: enough to save most round trips when catching up, few enough that the
   * answer (a full block with txids is under 1 MB) stays far below the default response cap.
   */
  static final int MAX_BATCH = 16;

  private final JsonRpcClient rpc;

  BitcoindBlockSource(JsonRpcClient rpc) {
    this.rpc = Objects.requireNonNull(rpc, "rpc");
  }

  /**
   * Returns the tip of bitcoind's best chain, hash and height from one {@code getblockchaininfo}
   * snapshot.
   *
   * @return the best block
   * @throws BlockSourceException if bitcoind cannot answer
   */
  @Override
  public BlockRef bestBlock() {
    try {
      return rpc.call("getblockchaininfo", Params.NONE, Answers.CHAIN_TIP);
    } catch (BitcoindException e) {
      throw BitcoindErrors.blockSourceFailure(e);
    }
  }

  /**
   * Returns the hash of the best block with {@code getbestblockhash}: the cheapest way to notice a
   * new block.
   *
   * @return the best block's hash
   * @throws BlockSourceException if bitcoind cannot answer
   */
  public BlockHash bestBlockHash() {
    try {
      return rpc.call("getbestblockhash", Params.NONE, Answers.BLOCK_HASH);
    } catch (BitcoindException e) {
      throw BitcoindErrors.blockSourceFailure(e);
    }
  }

  /**
   * Returns a block with its txids, whether or not it is on the best chain.
   *
   * @param hash the block's hash
   * @return the block
   * @throws BlockSourceException if bitcoind cannot answer (transient) or does not know the block
   *     (persistent)
   */
  @Override
  public Block block(BlockHash hash) {
    Objects.requireNonNull(hash, "hash");
    try {
      return checked(hash, rpc.call("getblock", blockParams(hash), Answers.BLOCK), rpc);
    } catch (BitcoindException e) {
      throw BitcoindErrors.blockSourceFailure(e);
    }
  }

  /**
   * Returns the hash of the best chain's block at {@code height}.
   *
   * @param height not negative
   * @return the hash, or empty when the best chain is lower (bitcoind's -8, out of range)
   * @throws BlockSourceException if bitcoind cannot answer
   * @throws IllegalArgumentException if {@code height} is negative
   */
  @Override
  public Optional<BlockHash> blockHashAt(int height) {
    checkHeight(height);
    try {
      return Optional.of(rpc.call("getblockhash", g -> g.writeNumber(height), Answers.BLOCK_HASH));
    } catch (BitcoindException e) {
      if (BitcoindErrors.isHeightOutOfRange(e)) {
        return Optional.empty();
      }
      throw BitcoindErrors.blockSourceFailure(e);
    }
  }

  /**
   * Returns a transaction of a block with {@code getrawtransaction <txid> false <blockhash>}, which
   * needs no {@code -txindex} when the block is named.
   *
   * @param txid the transaction
   * @param block the block that holds it
   * @return its bytes, or empty when bitcoind answers that the block does not hold it or that it does
   *     not know the block (-5)
   * @throws BlockSourceException if bitcoind cannot answer, or answers with something that is not hex
   */
  @Override
  public Optional<byte[]> transaction(Txid txid, BlockHash block) {
    Objects.requireNonNull(txid, "txid");
    Objects.requireNonNull(block, "block");
    try {
      return Optional.of(rpc.call("getrawtransaction", g -> {
        g.writeString(txid.toHex());
        g.writeBoolean(false);
        g.writeString(block.toHex());
      }, Answers.RAW_TRANSACTION));
    } catch (BitcoindException e) {
      if (BitcoindErrors.isNotFound(e)) {
        return Optional.empty();
      }
      throw BitcoindErrors.blockSourceFailure(e);
    }
  }

  /**
   * Returns whether a block is on bitcoind's best chain now, from its header's confirmations (-1
   * for a block off the best chain).
   *
   * @param hash the block's hash
   * @return true if it is on the best chain
   * @throws BlockSourceException if bitcoind cannot answer (transient) or does not know the block
   *     (persistent)
   */
  public boolean isOnBestChain(BlockHash hash) {
    Objects.requireNonNull(hash, "hash");
    try {
      Answers.Header header = rpc.call("getblockheader", g -> {
        g.writeString(hash.toHex());
        g.writeBoolean(true);
      }, Answers.HEADER);
      if (!header.hash().equals(hash)) {
        throw BitcoindErrors.answerAboutAnotherBlock("getblockheader", rpc.uri(), hash, header.hash());
      }
      return header.onBestChain();
    } catch (BitcoindException e) {
      throw BitcoindErrors.blockSourceFailure(e);
    }
  }

  /**
   * Returns the best chain's block hashes at {@code count} consecutive heights, in batches of up to
   * {@value #MAX_BATCH} calls per request.
   *
   * @param fromHeight the first height, not negative
   * @param count how many heights, not negative
   * @return one entry per height, empty where the best chain is lower
   * @throws BlockSourceException if bitcoind cannot answer
   */
  public List<Optional<BlockHash>> blockHashesAt(int fromHeight, int count) {
    checkHeight(fromHeight);
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative, got " + count);
    }
    List<Optional<BlockHash>> out = new ArrayList<>(count);
    try {
      for (int start = 0; start < count; start += MAX_BATCH) {
        List<Params> params = new ArrayList<>();
        for (int i = start; i < Math.min(count, start + MAX_BATCH); i++) {
          int height = fromHeight + i;
          params.add(g -> g.writeNumber(height));
        }
        for (Reply<BlockHash> r : rpc.batch("getblockhash", params, Answers.BLOCK_HASH)) {
          if (r.error() != null && BitcoindErrors.isHeightOutOfRange(r.error())) {
            out.add(Optional.empty());
          } else {
            out.add(Optional.of(r.get()));
          }
        }
      }
    } catch (BitcoindException e) {
      throw BitcoindErrors.blockSourceFailure(e);
    }
    return out;
  }

  /**
   * Returns several blocks, in batches of up to {@value #MAX_BATCH} calls per request.
   *
   * @param hashes the blocks' hashes
   * @return the blocks, in the order of {@code hashes}
   * @throws BlockSourceException if bitcoind cannot answer or does not know one of the blocks
   */
  public List<Block> blocks(List<BlockHash> hashes) {
    List<BlockHash> wanted = List.copyOf(hashes);
    List<Block> out = new ArrayList<>(wanted.size());
    try {
      for (int start = 0; start < wanted.size(); start += MAX_BATCH) {
        List<BlockHash> chunk = wanted.subList(start, Math.min(wanted.size(), start + MAX_BATCH));
        List<Params> params = new ArrayList<>(chunk.size());
        for (BlockHash h : chunk) {
          params.add(blockParams(h));
        }
        List<Reply<Answers.FetchedBlock>> replies = rpc.batch("getblock", params, Answers.BLOCK);
        for (int i = 0; i < chunk.size(); i++) {
          out.add(checked(chunk.get(i), replies.get(i).get(), rpc));
        }
      }
    } catch (BitcoindException e) {
      throw BitcoindErrors.blockSourceFailure(e);
    }
    return out;
  }

  private static Params blockParams(BlockHash hash) {
    return g -> {
      g.writeString(hash.toHex());
      g.writeNumber(1); // verbosity 1: txids only
    };
  }

  private static Block checked(BlockHash asked, Answers.FetchedBlock fetched, JsonRpcClient rpc) {
    Block block = fetched.block();
    if (!block.hash().equals(asked)) {
      throw BitcoindErrors.answerAboutAnotherBlock("getblock", rpc.uri(), asked, block.hash());
    }
    if (!fetched.onBestChain()) {
      log.atDebug().addKeyValue("block", asked).addKeyValue("height", block.height())
          .log("served a block that is not on bitcoind's best chain");
    }
    return block;
  }

  private static void checkHeight(int height) {
    if (height < 0) {
      throw new IllegalArgumentException("height must not be negative, got " + height);
    }
  }

  @Override
  public String toString() {
    return "BitcoindBlockSource{" + rpc.uri() + "}";
  }
}
