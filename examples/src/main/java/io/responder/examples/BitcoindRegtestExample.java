package io.responder.examples;

import io.responder.bitcoind.BitcoindConfig;
import io.responder.bitcoind.BitcoindRpc;
import io.responder.bitcoind.BlockPoller;
import io.responder.core.BlockSource;
import io.responder.core.BlockSourceException;
import io.responder.core.Breach;
import io.responder.core.BreachReceipt;
import io.responder.core.InvalidInputException;
import io.responder.core.Locator;
import io.responder.core.Responder;
import io.responder.core.ResponderListener;
import io.responder.core.TrackerStore;
import io.responder.core.TransactionTracker;
import io.responder.core.Txid;
import io.responder.store.inmemory.InMemoryTrackerStore;
import io.responder.store.jdbc.JdbcTrackerStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.sqlite.SQLiteDataSource;

/**
 * The Responder against a real bitcoind, meant for a regtest node: {@code responder-bitcoind-rpc}
 * for the carrier, the block source and the chain loop ({@link BlockPoller}), and a SQLite file
 * ({@code responder-store-jdbc}) for the trackers, so stopping and starting it again resumes them.
 *
 * <p>You play the watcher: type a breach on standard input and watch the Responder's events as you
 * mine blocks with {@code bitcoin-cli}. README.md ("Against a real bitcoind") shows the node settings
 * and the RPC calls; {@code examples/regtest/make-breach.sh} crafts a dispute and its penalty.
 *
 * <pre>
 * breach DISPUTE_TXID DISPUTE_HEX|- PENALTY_TXID PENALTY_HEX BLOCK_HASH [SUBSCRIPTION_END_HEIGHT]
 * status
 * quit
 * </pre>
 *
 * <p>Options come from flags or the environment; run with {@code --help} for the list. Not
 * thread-safe: {@link #main} is the only entry point.
 */
public final class BitcoindRegtestExample {
  /** bitcoind's RPC port on regtest. */
  private static final String DEFAULT_URL = "http://127.0.0.1:18443";
  /** The tower's user in this example: any valid compressed public key will do on regtest. */
  private static final String EXAMPLE_USER = "02" + "11".repeat(32);
  /** How long to wait between attempts while bitcoind is not answering at start-up. */
  private static final Duration START_RETRY = Duration.ofSeconds(2);

  private BitcoindRegtestExample() {}

  /**
   * Runs the example until {@code quit} or Ctrl-C.
   *
   * @param args the options; {@code --help} lists them
   * @throws Exception if the store cannot be opened, or the wait for bitcoind is interrupted
   */
  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(Options.USAGE);
      System.exit(2);
      return;
    }
    if (options.help()) {
      System.out.println(Options.USAGE);
      return;
    }
    // Before the first logger exists: slf4j-simple reads its level once. (Maven's -q sets it to error.)
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", options.logLevel());
    run(options, System.out);
  }

  private static void run(Options options, PrintStream out) throws Exception {
    BitcoindConfig config = options.bitcoindConfig();
    TrackerStore store = options.openStore();
    ResponderListener events = new ConsoleListener(out);
    Duration pollInterval = options.pollInterval();
    out.println("bitcoind: " + config.uri() + ", store: "
        + options.storeFile().map(Path::toString).orElse("in memory (nothing survives a restart)"));

    // tag::wiring[]
    BitcoindRpc rpc = BitcoindRpc.create(config);  // a carrier and a block source sharing one HTTP client
    waitForNode(rpc.blockSource(), out);           // a fresh store starts at bitcoind's best block
    Responder responder = Responder.builder()
        .carrier(rpc.carrier())
        .blockSource(rpc.blockSource())
        .store(store)
        .listener(events)
        .start();                                  // loads the store, catches up with bitcoind
    BlockPoller poller = BlockPoller.create(rpc.blockSource(), responder, pollInterval);
    poller.start();                                // the chain loop, on a thread of its own
    // end::wiring[]
    out.println("Responder at block " + responder.tip().height() + " with " + responder.trackerCount()
        + " trackers. Type a breach, 'status' or 'quit'.");

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      poller.close();           // waits for a poll in progress: never cut a store commit short
      if (store instanceof AutoCloseable c) {
        closeQuietly(c);
      }
      stopped.countDown();
    }, "responder-example-shutdown"));

    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      String[] words = line.trim().split("\\s+");
      if (words[0].isEmpty()) {
        continue;
      }
      switch (words[0]) {
        case "breach" -> handOver(responder, words, out);
        case "status" -> status(responder, out);
        case "quit" -> System.exit(0); // the shutdown hook closes the poller and the store
        default -> out.println("unknown command '" + words[0] + "': breach, status or quit");
      }
    }
    stopped.await(); // standard input closed: keep following the chain until Ctrl-C
  }

  /**
   * Waits until bitcoind answers: a Responder over a fresh store cannot start without the node's best
   * block (over a store that has a tip, it starts and catches up later).
   */
  private static void waitForNode(BlockSource node, PrintStream out) throws InterruptedException {
    while (true) {
      try {
        node.bestBlock();
        return;
      } catch (BlockSourceException e) {
        out.println("waiting for bitcoind (" + e.getMessage() + ")");
        Thread.sleep(START_RETRY.toMillis());
      }
    }
  }

  private static void handOver(Responder responder, String[] words, PrintStream out) {
    if (words.length < 6 || words.length > 7) {
      out.println("usage: breach DISPUTE_TXID DISPUTE_HEX|- PENALTY_TXID PENALTY_HEX BLOCK_HASH [SUBSCRIPTION_END]");
      return;
    }
    try {
      Txid disputeTxid = Txid.fromHex("disputeTxid", words[1]);
      Breach.Builder breach = Breach.builder()
          .uuid(UUID.randomUUID())
          .locator(Locator.of(disputeTxid))
          .disputeTxid(disputeTxid)
          .disputeRawTx(words[2].equals("-") ? null : words[2])  // "-": the watcher does not have it
          .penaltyTxid(words[3])
          .penaltyRawTx(words[4])
          .seenInBlock(words[5])
          .userId(EXAMPLE_USER);
      if (words.length == 7) {
        breach.subscriptionEndHeight(Integer.parseInt(words[6]));
      }
      BreachReceipt receipt = responder.handleBreach(breach.build());
      out.println("receipt " + receipt.uuid() + ": " + receipt.disposition() + ", "
          + ConsoleListener.describe(receipt.broadcast()));
    } catch (InvalidInputException e) {
      out.println("not a valid breach: " + e.getMessage());
    } catch (NumberFormatException e) {
      out.println("not a valid breach: subscription end is not a height");
    }
  }

  private static void status(Responder responder, PrintStream out) {
    out.println("tip " + responder.tip().height() + ", trackers " + responder.countsByState());
    for (TransactionTracker t : responder.trackers()) {
      out.println("  " + t.uuid() + "  " + ConsoleListener.penaltyName(t.penaltyTxid()) + "  " + t.status());
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      System.err.println("closing " + c + ": " + e);
    }
  }

  /**
   * The example's options, from flags first and the environment second.
   *
   * @param url bitcoind's RPC URL
   * @param cookieFile bitcoind's cookie file, when no user is given
   * @param user the RPC user, or null
   * @param password the RPC password, or null
   * @param storeFile the SQLite file, or empty for the in-memory store
   * @param pollInterval how often the poller asks bitcoind for its best block
   * @param logLevel slf4j-simple's level
   * @param help whether to print the usage and stop
   */
  record Options(URI url, Path cookieFile, String user, String password, Optional<Path> storeFile,
      Duration pollInterval, String logLevel, boolean help) {
    static final String USAGE = String.join("\n",
        "Options (flag, or environment variable):",
        "  --rpc-url URL          RESPONDER_RPC_URL       default " + DEFAULT_URL + " (regtest)",
        "  --rpc-cookie FILE      RESPONDER_RPC_COOKIE    default ~/.bitcoin/regtest/.cookie",
        "  --rpc-user USER        RESPONDER_RPC_USER      user and password instead of the cookie",
        "  --rpc-password PASS    RESPONDER_RPC_PASSWORD  (prefer the variable: flags show in ps)",
        "  --store FILE|memory    RESPONDER_STORE         default ~/.responder-example/regtest.db",
        "  --poll-seconds N       RESPONDER_POLL_SECONDS  default 1",
        "  --log-level LEVEL      RESPONDER_LOG_LEVEL     default info (slf4j-simple)",
        "Then type on standard input:",
        "  breach DISPUTE_TXID DISPUTE_HEX|- PENALTY_TXID PENALTY_HEX BLOCK_HASH [SUBSCRIPTION_END_HEIGHT]",
        "  status",
        "  quit");

    static Options parse(String[] args, Map<String, String> env) {
      Map<String, String> flags = new HashMap<>();
      List<String> known = List.of("--rpc-url", "--rpc-cookie", "--rpc-user", "--rpc-password", "--store",
          "--poll-seconds", "--log-level");
      boolean help = false;
      for (int i = 0; i < args.length; i++) {
        if (args[i].equals("--help") || args[i].equals("-h")) {
          help = true;
        } else if (known.contains(args[i]) && i + 1 < args.length) {
          flags.put(args[i], args[++i]);
        } else {
          throw new IllegalArgumentException("unknown option or missing value: " + args[i]);
        }
      }
      String home = System.getProperty("user.home");
      URI url = URI.create(option(flags, env, "--rpc-url", "RESPONDER_RPC_URL", DEFAULT_URL));
      String user = option(flags, env, "--rpc-user", "RESPONDER_RPC_USER", null);
      String password = option(flags, env, "--rpc-password", "RESPONDER_RPC_PASSWORD", null);
      if ((user == null) != (password == null)) {
        throw new IllegalArgumentException("give both an RPC user and a password, or neither (cookie)");
      }
      Path cookie = Path.of(option(flags, env, "--rpc-cookie", "RESPONDER_RPC_COOKIE",
          Path.of(home, ".bitcoin", "regtest", ".cookie").toString()));
      String store = option(flags, env, "--store", "RESPONDER_STORE",
          Path.of(home, ".responder-example", "regtest.db").toString());
      Optional<Path> storeFile = store.equals("memory") ? Optional.empty() : Optional.of(Path.of(store));
      int pollSeconds = Integer.parseInt(option(flags, env, "--poll-seconds", "RESPONDER_POLL_SECONDS", "1"));
      if (pollSeconds < 1) {
        throw new IllegalArgumentException("--poll-seconds must be at least 1");
      }
      String logLevel = option(flags, env, "--log-level", "RESPONDER_LOG_LEVEL", "info");
      return new Options(url, cookie, user, password, storeFile, Duration.ofSeconds(pollSeconds), logLevel, help);
    }

    private static String option(Map<String, String> flags, Map<String, String> env, String flag, String variable,
        String fallback) {
      String v = flags.get(flag);
      if (v == null) {
        v = env.get(variable);
      }
      return v == null || v.isBlank() ? fallback : v;
    }

    /** The module's configuration: where the node listens and how to authenticate. */
    BitcoindConfig bitcoindConfig() {
      if (!"http".equals(url.getScheme()) || url.getHost() == null || url.getPort() < 0) {
        throw new IllegalArgumentException("--rpc-url must look like http://HOST:PORT, got " + url);
      }
      // tag::config[]
      BitcoindConfig.Builder config = BitcoindConfig.builder()
          .host(url.getHost())                   // 127.0.0.1
          .port(url.getPort());                  // 18443 on regtest (8332 mainnet, 18332 testnet)
      if (user != null) {
        config.userPassword(user, password);     // rpcauth= (or rpcuser=, rpcpassword=) in bitcoin.conf
      } else {
        config.cookieFile(cookieFile);           // <datadir>/regtest/.cookie, read again after a restart
      }
      // end::config[]
      String path = Objects.requireNonNullElse(url.getPath(), "");
      if (path.startsWith("/wallet/")) {
        config.wallet(path.substring("/wallet/".length()));
      }
      return config.build();
    }

    /** The SQLite store, created on first use, or the in-memory one. */
    TrackerStore openStore() throws IOException {
      if (storeFile.isEmpty()) {
        return new InMemoryTrackerStore();
      }
      Path file = storeFile.get().toAbsolutePath();
      Files.createDirectories(file.getParent());
      // tag::store[]
      SQLiteDataSource sqlite = new SQLiteDataSource();        // org.xerial:sqlite-jdbc: the driver is yours
      sqlite.setUrl("jdbc:sqlite:" + file);
      JdbcTrackerStore store = JdbcTrackerStore.open(sqlite);  // creates the schema; one owner at a time
      // end::store[]
      return store;
    }

    /** Hides the password. */
    @Override
    public String toString() {
      List<String> parts = new ArrayList<>();
      parts.add("url=" + url);
      parts.add(user != null ? "user=" + user + ", password=***" : "cookie=" + cookieFile);
      parts.add("store=" + storeFile.map(Path::toString).orElse("memory"));
      return "Options{" + String.join(", ", parts) + "}";
    }
  }
}
