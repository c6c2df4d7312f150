package io.responder.bitcoind;

import static io.responder.bitcoind.Answers.expectObject;
import static io.responder.bitcoind.Answers.integer;
import static io.responder.bitcoind.Answers.text;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.responder.bitcoind.JsonRpcClient.ResultReader;
import io.responder.core.FeeRate;
import io.responder.core.InvalidInputException;
import io.responder.core.Txid;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Streaming readers of the answers about fees and packages: {@code submitpackage},
 * {@code estimatesmartfee} and {@code getmempoolinfo}. Like {@link Answers}, they read only what is
 * needed, skip the rest token by token and never quote the body. Text the node chose (error strings)
 * is cut to {@value #MAX_NODE_TEXT} characters with control characters replaced, so a broken node
 * cannot flood results and logs. Stateless; thread-safe.
 */
final class FeeAnswers {
  /**
   * The most characters of a node's error string kept. bitcoind's longest recorded ones name several
   * txids and wtxids: a script failure is 322 characters, a TRUC violation 339; three times that
   * leaves room for longer reasons and still bounds what a broken node can make us carry.
   */
  static final int MAX_NODE_TEXT = BitcoindErrors.MAX_NODE_TEXT;

  /** The most entries of an {@code estimatesmartfee} errors list kept; bitcoind sends one. */
  private static final int MAX_ERRORS_KEPT = 4;

  private FeeAnswers() {}

  /**
   * bitcoind's verdict on one member of a package, from {@code tx-results}.
   *
   * @param txid the member's txid as the node reported it
   * @param otherWtxid the wtxid of a transaction with the same txid but another witness that the node
   *     already has (then the member itself was ignored), or null
   * @param hasFees whether the entry has a {@code fees} object: the member is in the mempool, newly
   *     or already
   * @param error the node's error string for the member, cut to size, or null
   */
  record Member(Txid txid, String otherWtxid, boolean hasFees, String error) {}

  /**
   * A {@code submitpackage} answer, matched to the package that was sent.
   *
   * @param packageMsg "success" or the package-wide failure, cut to size (informative only: members
   *     can be accepted when it reports a failure)
   * @param members one entry per package member in package order; null where the node gave none
   * @param replaced the txids the node replaced, in its order
   */
  record SubmittedPackage(String packageMsg, List<Member> members, List<Txid> replaced) {}

  /**
   * An {@code estimatesmartfee} answer.
   *
   * @param feeRate the estimate, or null when the node has none
   * @param blocks the target the estimate is for (0 when there is none)
   * @param errors the node's reasons for having no estimate, cut to size
   */
  record SmartFee(FeeRate feeRate, int blocks, List<String> errors) {}

  /**
   * The fee floors of {@code getmempoolinfo}.
   *
   * @param mempoolMinFee the mempool minimum (bitcoind already floors it by the relay minimum)
   * @param minRelayTxFee the minimum relay feerate
   */
  record MempoolFloor(FeeRate mempoolMinFee, FeeRate minRelayTxFee) {
    /** The lowest feerate the node accepts now. */
    FeeRate minimum() {
      return mempoolMinFee.max(minRelayTxFee);
    }
  }

  /**
   * A reader of the {@code submitpackage} answer to a package whose members have these wtxids and
   * txids. Entries are matched by wtxid, the key bitcoind uses, and each matched entry must name the
   * member's txid: an entry about a transaction that was not sent, the same wtxid twice, or a txid
   * that disagrees is a malformed answer, never guessed at.
   *
   * @param wtxids the members' wtxids in lower-case hex, in package order
   * @param txids the members' txids, in the same order
   */
  static ResultReader<SubmittedPackage> submittedPackage(List<String> wtxids, List<Txid> txids) {
    Map<String, Integer> position = new HashMap<>();
    for (int i = 0; i < wtxids.size(); i++) {
      position.put(wtxids.get(i), i);
    }
    return p -> {
      expectObject(p, "submitpackage result");
      String packageMsg = null;
      Member[] members = new Member[wtxids.size()];
      List<Txid> replaced = null;
      boolean sawResults = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        switch (name) {
          case "package_msg" -> packageMsg = nodeText(text(p, name));
          case "tx-results" -> {
            expectObject(p, "tx-results");
            sawResults = true;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String wtxid = p.currentName().toLowerCase(Locale.ROOT);
              p.nextToken();
              Integer i = position.get(wtxid);
              if (i == null) {
                throw new BadAnswerException("tx-results names a wtxid that was not in the package");
              }
              if (members[i] != null) {
                throw new BadAnswerException("tx-results names the wtxid of member " + i + " twice");
              }
              Member m = member(p);
              if (!m.txid().equals(txids.get(i))) {
                throw new BadAnswerException("tx-results gives member " + i + " (txid " + txids.get(i)
                    + ") the txid " + m.txid());
              }
              members[i] = m;
            }
          }
          case "replaced-transactions" -> replaced = txids(p, name);
          default -> p.skipChildren();
        }
      }
      if (packageMsg == null || !sawResults) {
        throw new BadAnswerException("submitpackage result lacks package_msg or tx-results");
      }
      // bitcoind always lists replaced-transactions; an older node that leaves it out replaced nothing it tells of.
      return new SubmittedPackage(packageMsg, Arrays.asList(members), replaced == null ? List.of() : replaced);
    };
  }

  private static Member member(JsonParser p) throws IOException {
    expectObject(p, "tx-results entry");
    Txid txid = null;
    String otherWtxid = null;
    boolean hasFees = false;
    String error = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (name) {
        case "txid" -> txid = txid(p, name);
        case "other-wtxid" -> otherWtxid = txid(p, name).toHex();
        case "fees" -> {
          if (v != JsonToken.START_OBJECT) {
            throw new BadAnswerException("tx-results entry's fees is not an object");
          }
          hasFees = true;
          p.skipChildren();
        }
        case "error" -> error = nodeText(text(p, name));
        default -> p.skipChildren(); // vsize, vsize_adjusted, vsize_bip141, ...
      }
    }
    if (txid == null) {
      throw new BadAnswerException("tx-results entry lacks txid");
    }
    if (error == null && !hasFees && otherWtxid == null) {
      throw new BadAnswerException("tx-results entry has neither fees, error nor other-wtxid");
    }
    return new Member(txid, otherWtxid, hasFees, error);
  }

  /** {@code estimatesmartfee}: a feerate and the target answered, or errors. */
  static final ResultReader<SmartFee> SMART_FEE = p -> {
    expectObject(p, "estimatesmartfee result");
    FeeRate feeRate = null;
    Integer blocks = null;
    List<String> errors = new ArrayList<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (name) {
        case "feerate" -> feeRate = feeRate(p, name);
        case "blocks" -> blocks = integer(p, name);
        case "errors" -> {
          if (v != JsonToken.START_ARRAY) {
            throw new BadAnswerException("errors is not an array");
          }
          while (p.nextToken() != JsonToken.END_ARRAY) {
            if (errors.size() < MAX_ERRORS_KEPT) {
              errors.add(nodeText(text(p, "errors entry")));
            } else {
              p.skipChildren();
            }
          }
        }
        default -> p.skipChildren();
      }
    }
    if (blocks == null) {
      throw new BadAnswerException("estimatesmartfee result lacks blocks");
    }
    if (feeRate != null && blocks < 1) {
      throw new BadAnswerException("estimatesmartfee gave a feerate for " + blocks + " blocks");
    }
    return new SmartFee(feeRate, blocks, List.copyOf(errors));
  };

  /** {@code getmempoolinfo}: the two fee floors. */
  static final ResultReader<MempoolFloor> MEMPOOL_FLOOR = p -> {
    expectObject(p, "getmempoolinfo result");
    FeeRate mempoolMin = null;
    FeeRate minRelay = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      switch (name) {
        case "mempoolminfee" -> mempoolMin = feeRate(p, name);
        case "minrelaytxfee" -> minRelay = feeRate(p, name);
        default -> p.skipChildren();
      }
    }
    if (mempoolMin == null || minRelay == null) {
      throw new BadAnswerException("getmempoolinfo result lacks mempoolminfee or minrelaytxfee");
    }
    return new MempoolFloor(mempoolMin, minRelay);
  };

  /** Node text as it may be carried into results and logs (one rule for the whole module). */
  static String nodeText(String text) {
    return BitcoindErrors.nodeText(text);
  }

  // -----------------------------------------------------------------------------------------------

  private static List<Txid> txids(JsonParser p, String field) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw new BadAnswerException(field + " is not an array");
    }
    List<Txid> out = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      out.add(txid(p, field + " entry"));
    }
    return List.copyOf(out);
  }

  private static Txid txid(JsonParser p, String field) throws IOException {
    String hex = text(p, field);
    try {
      return Txid.fromHex(field, hex);
    } catch (InvalidInputException e) {
      throw new BadAnswerException(field + " is not a transaction id");
    }
  }

  private static BigDecimal amount(JsonParser p, String field) throws IOException {
    JsonToken t = p.currentToken();
    if (t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NUMBER_INT) {
      throw new BadAnswerException(field + " is not a number");
    }
    return p.getDecimalValue();
  }

  private static FeeRate feeRate(JsonParser p, String field) throws IOException {
    BigDecimal btcPerKvB = amount(p, field);
    try {
      return FeeRate.ofBtcPerKvB(btcPerKvB);
    } catch (InvalidInputException e) {
      throw new BadAnswerException(field + " is not a feerate (negative or above 1 BTC/vB)");
    }
  }
}
