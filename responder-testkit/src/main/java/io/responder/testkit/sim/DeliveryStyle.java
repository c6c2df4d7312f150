package io.responder.testkit.sim;

/**
 * How the host hands the same chain history to the Responder (LDK's {@code ConnectStyle}). A
 * simulation picks one from its seed; every style must end in the same guarantees.
 *
 * @since 0.1.0
 */
public enum DeliveryStyle {
  /** Every block, in order, through {@code onBlock}; a reorganisation shows as the new branch's first block. */
  ONE_AT_A_TIME,
  /** Only the newest block of each batch: skipped blocks and reorganisations are resolved through the block source. */
  TIP_ONLY,
  /** Each block with even odds, the newest always: irregular gaps. */
  SKIPPING,
  /** Every block twice in a row, and now and then an older block of the chain again. */
  TWICE,
  /** Disconnections reported block by block through {@code blockDisconnected}, newest first, then the new branch one block at a time. */
  HOST_DISCONNECTS,
  /** Any of the above, chosen afresh for each batch of blocks. */
  MIXED
}
