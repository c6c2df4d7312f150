package io.responder.core;

import java.util.AbstractSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The removed trackers of a {@link ChangeSet}, as the {@link StoreUpdate#removed()} set: their uuids'
 * words in one array, two per tracker, instead of a hash-set entry and a {@code UUID} per tracker
 * (a block removes thousands: completions and expiries). Iteration makes each {@code UUID} as it
 * goes; {@link #contains} builds a hash index on first use.
 *
 * <p>The words must name distinct uuids, which a change set ensures: it removes only members of live
 * groups, and a member leaves its group when it is removed. Immutable and thread-safe.
 */
final class UuidWordSet extends AbstractSet<UUID> {
  static final UuidWordSet EMPTY = new UuidWordSet(new long[0]);

  private final long[] words;
  private volatile @Nullable Set<UUID> index;

  /** @param words two words (most, least significant) per uuid, distinct uuids; kept, not copied */
  UuidWordSet(long[] words) {
    if (words.length % 2 != 0) {
      throw new IllegalArgumentException(words.length + " uuid words: not two per uuid");
    }
    this.words = words;
  }

  @Override
  public int size() {
    return words.length / 2;
  }

  @Override
  public boolean contains(Object o) {
    Set<UUID> s = index;
    if (s == null) {
      s = new HashSet<>(Math.max(16, size() * 4 / 3 + 1));
      for (UUID u : this) {
        s.add(u);
      }
      index = s;
    }
    return s.contains(o);
  }

  @Override
  public Iterator<UUID> iterator() {
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < words.length;
      }

      @Override
      public UUID next() {
        if (next >= words.length) {
          throw new NoSuchElementException();
        }
        UUID u = new UUID(words[next], words[next + 1]);
        next += 2;
        return u;
      }
    };
  }

  // AbstractSet's mutators throw UnsupportedOperationException: add, remove, clear, and the
  // iterator's remove, which is not overridden here.
}
