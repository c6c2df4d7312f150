package io.responder.core;

import java.util.Objects;

/**
 * A block named by its hash and height: a chain position, a fork point, a confirmation.
 *
 * @param hash the block's hash
 * @param height the block's height (the genesis block is at 0)
 * @since 0.1.0
 */
public record BlockRef(BlockHash hash, int height) {
  /**
   * Validates the components.
   *
   * @throws NullPointerException if {@code hash} is null
   * @throws InvalidInputException if {@code height} is negative
   */
  public BlockRef {
    Objects.requireNonNull(hash, "hash");
    if (height < 0) {
      throw new InvalidInputException("height", "must not be negative, got " + height);
    }
  }
}
