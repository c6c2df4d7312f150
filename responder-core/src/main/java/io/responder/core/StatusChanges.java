package io.responder.core;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The status changes of a {@link ChangeSet}, as the {@link StoreUpdate#statusChanges()} map: the uuid
 * words of the changed trackers in one array and their statuses in another, copied from the penalty
 * groups when the update is made. A block that changes a million trackers builds two arrays instead
 * of a million hash-map entries (and the copies {@link StoreUpdate} would make of them).
 *
 * <p>It also remembers the added list and removed set it was made with: a {@link StoreUpdate} given
 * exactly those three takes them as they are, because a change set makes them immutable and disjoint
 * (a tracker is added, or changes status as a member of a live group, or is removed and so no longer
 * a member). {@link #get} and {@link #containsKey} build a hash index on first use; iteration needs
 * none. Immutable and thread-safe.
 */
final class StatusChanges extends AbstractMap<UUID, TrackerStatus> {
  private final long[] words;
  private final TrackerStatus[] statuses;
  private final List<TransactionTracker> added;
  private final Set<UUID> removed;
  private volatile @Nullable Map<UUID, TrackerStatus> index;

  /**
   * @param words two words (most, least significant) per tracker; kept, not copied
   * @param statuses one status per tracker; kept, not copied
   * @param added the update's immutable added list
   * @param removed the update's immutable removed set
   */
  StatusChanges(long[] words, TrackerStatus[] statuses, List<TransactionTracker> added, Set<UUID> removed) {
    if (words.length != 2 * statuses.length) {
      throw new IllegalArgumentException(words.length + " uuid words for " + statuses.length + " statuses");
    }
    this.words = words;
    this.statuses = statuses;
    this.added = added;
    this.removed = removed;
  }

  /** Whether {@code added} and {@code removed} are the very collections this was made with. */
  boolean cameWith(List<TransactionTracker> added, Set<UUID> removed) {
    return added == this.added && removed == this.removed;
  }

  @Override
  public int size() {
    return statuses.length;
  }

  @Override
  public boolean isEmpty() {
    return statuses.length == 0;
  }

  @Override
  public @Nullable TrackerStatus get(Object key) {
    return index().get(key);
  }

  @Override
  public boolean containsKey(Object key) {
    return index().containsKey(key);
  }

  @Override
  public void forEach(BiConsumer<? super UUID, ? super TrackerStatus> action) {
    for (int i = 0; i < statuses.length; i++) {
      action.accept(new UUID(words[2 * i], words[2 * i + 1]), statuses[i]);
    }
  }

  private Map<UUID, TrackerStatus> index() {
    Map<UUID, TrackerStatus> m = index;
    if (m == null) {
      m = new HashMap<>(Math.max(16, statuses.length * 4 / 3 + 1));
      for (int i = 0; i < statuses.length; i++) {
        m.put(new UUID(words[2 * i], words[2 * i + 1]), statuses[i]);
      }
      index = m;
    }
    return m;
  }

  @Override
  public Set<Entry<UUID, TrackerStatus>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return statuses.length;
      }

      @Override
      public boolean contains(Object o) {
        return o instanceof Entry<?, ?> e && e.getValue() != null && e.getValue().equals(get(e.getKey()));
      }

      @Override
      public Iterator<Entry<UUID, TrackerStatus>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < statuses.length;
          }

          @Override
          public Entry<UUID, TrackerStatus> next() {
            if (next >= statuses.length) {
              throw new NoSuchElementException();
            }
            int i = next++;
            return new SimpleImmutableEntry<>(new UUID(words[2 * i], words[2 * i + 1]), statuses[i]);
          }
        };
      }
    };
  }
}
