package io.responder.core;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One page of a listing of trackers, from {@link Responder#trackers(UUID, int)}: trackers in
 * {@linkplain #ORDER uuid order}, and the cursor that asks for the page after it.
 *
 * <pre>{@code
 * UUID after = null;
 * do {
 *   TrackerPage page = responder.trackers(after, 500);
 *   page.trackers().forEach(admin::show);
 *   after = page.next().orElse(null);
 * } while (after != null);
 * }</pre>
 *
 * <p>Pages are read one at a time, each from the store's committed state at the moment it is read, so
 * a listing that runs while blocks arrive is not one snapshot: a tracker that exists from the first
 * page to the last is listed exactly once (the cursor only moves forward), with its status as of the
 * read of its page, which may be before or after any given block; a tracker added or removed during
 * the listing may or may not be in it. Immutable and thread-safe.
 *
 * @param trackers the trackers of this page, in {@link #ORDER}; never more than the page size asked for
 * @param next the uuid to pass as {@code after} for the next page, or empty if this page is the last
 * @since 0.1.0
 */
public record TrackerPage(List<TransactionTracker> trackers, Optional<UUID> next) {
  /** The largest page a query may ask for. */
  public static final int MAX_SIZE = 10_000;

  /**
   * The order of listings: a uuid's 128 bits read as an unsigned number, which is the order of their
   * lowercase text forms and of PostgreSQL's {@code uuid} type. (Not {@link UUID#compareTo}, which
   * compares signed halves.)
   */
  public static final Comparator<UUID> ORDER = (a, b) -> {
    int c = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
    return c != 0 ? c : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
  };

  /**
   * Copies the list.
   *
   * @param trackers the trackers, in {@link #ORDER}
   * @param next the cursor for the next page, or empty
   */
  public TrackerPage {
    trackers = List.copyOf(trackers);
    Objects.requireNonNull(next, "next");
  }

  /**
   * Checks a page size asked for by a caller.
   *
   * @param pageSize the size asked for
   * @return {@code pageSize}
   * @throws InvalidInputException if it is not between 1 and {@link #MAX_SIZE}
   */
  static int checkSize(int pageSize) {
    if (pageSize < 1 || pageSize > MAX_SIZE) {
      throw new InvalidInputException("pageSize", "must be between 1 and " + MAX_SIZE + ", got " + pageSize);
    }
    return pageSize;
  }
}
