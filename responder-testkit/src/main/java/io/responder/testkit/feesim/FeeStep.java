package io.responder.testkit.feesim;

/**
 * One thing the world does in a {@link FeeHistory}. Every step that makes blocks makes the same
 * number of blocks whatever the Responder did, so two runs of a history have the same heights.
 * Instances are immutable and thread-safe.
 */
public sealed interface FeeStep {
  /**
   * The market moves: the node's mempool minimum and the least feerate miners take.
   *
   * @param mempoolMinSatPerVbyte the mempool minimum (0: only the relay minimum, 0.1 sat/vB)
   * @param minerMinSatPerVbyte the least ancestor feerate miners take
   */
  record Market(double mempoolMinSatPerVbyte, double minerMinSatPerVbyte) implements FeeStep {}

  /** Miners mine a block from the mempool, by feerate. */
  record Mine() implements FeeStep {}

  /** Miners mine a block full of others' transactions that pay more than anything of ours. */
  record FullBlock() implements FeeStep {}

  /**
   * The cheater gets a revoked commitment mined (a block of its own), and the watcher hands the breach
   * over after that block.
   *
   * @param channel the channel breached
   */
  record Breach(int channel) implements FeeStep {}

  /**
   * A reorganisation: {@code depth} blocks are disconnected (their transactions return to the mempool,
   * which then drops what is below its minimum) and {@code newLength} blocks are mined from the mempool.
   *
   * @param depth blocks disconnected
   * @param newLength blocks of the new branch
   */
  record Reorg(int depth, int newLength) implements FeeStep {}

  /**
   * The cheater gets its dispute mined again in a block of its own, if it is not confirmed; otherwise
   * miners mine an ordinary block.
   *
   * @param channel the channel
   */
  record Remine(int channel) implements FeeStep {}

  /**
   * The node drops the channel's dispute (and what spends it) from its mempool, as a restarted or
   * overflowing node does; nothing happens if it is not there.
   *
   * @param channel the channel
   */
  record Evict(int channel) implements FeeStep {}

  /** The Responder's process restarts over the same store. */
  record Restart() implements FeeStep {}

  /**
   * The node is unreachable until {@code blocks} more blocks are mined; the host delivers nothing
   * meanwhile.
   *
   * @param blocks blocks the outage lasts
   */
  record NodeDown(int blocks) implements FeeStep {}
}
