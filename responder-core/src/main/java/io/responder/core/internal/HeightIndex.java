package io.responder.core.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Work keyed by block height: which penalties confirmed at a height, which are due for rebroadcast,
 * whose subscriptions end. Entries are lazy: a consumer re-checks an entry against the live state
 * when it takes it, so a status change never has to hunt down old entries. Mutable, confined to the
 * Responder's lock. Not published API.
 *
 * @param <T> the entry type
 */
public final class HeightIndex<T> {
  private final NavigableMap<Integer, List<T>> byHeight = new TreeMap<>();
  private int size;
  /**
   * The list last filed into, and its height: a block files most of its entries at one height (a
   * rebroadcast storm re-files every penalty it sends at the same height), which then costs no tree
   * lookup and no boxed height each. Null after any removal.
   */
  private @Nullable List<T> lastList;
  private int lastHeight;

  /**
   * Files an entry at a height.
   *
   * @param height the height
   * @param entry the entry
   */
  public void add(int height, T entry) {
    List<T> list = lastList;
    if (list == null || height != lastHeight) {
      list = byHeight.computeIfAbsent(height, h -> new ArrayList<>(2));
      lastList = list;
      lastHeight = height;
    }
    list.add(entry);
    size++;
  }

  /**
   * Returns the entries at one height, without removing them.
   *
   * @param height the height
   * @return a copy of the entries, possibly empty
   */
  public List<T> at(int height) {
    List<T> entries = byHeight.get(height);
    return entries == null ? List.of() : List.copyOf(entries);
  }

  /**
   * Removes and returns every entry at or below {@code height}, lowest height first.
   *
   * @param height the highest height taken
   * @return the entries
   */
  public List<T> removeUpTo(int height) {
    return drain(byHeight.headMap(height, true));
  }

  /**
   * Removes and returns every entry above {@code height}, highest height first.
   *
   * @param height the highest height kept
   * @return the entries
   */
  public List<T> removeAbove(int height) {
    return drain(byHeight.tailMap(height, false).descendingMap());
  }

  /**
   * Drops every entry below {@code height}.
   *
   * @param height the lowest height kept
   */
  public void pruneBelow(int height) {
    NavigableMap<Integer, List<T>> below = byHeight.headMap(height, false);
    for (List<T> entries : below.values()) {
      size -= entries.size();
    }
    below.clear();
    lastList = null;
  }

  /** Drops everything. */
  public void clear() {
    byHeight.clear();
    size = 0;
    lastList = null;
  }

  /**
   * Returns how many entries are filed, live or not.
   *
   * @return the number of entries
   */
  public int size() {
    return size;
  }

  private List<T> drain(NavigableMap<Integer, List<T>> view) {
    if (view.isEmpty()) {
      return List.of();
    }
    lastList = null;
    if (view.size() == 1) { // one height: its list, taken out of the index, is the answer
      List<T> only = view.pollFirstEntry().getValue();
      size -= only.size();
      return only;
    }
    List<T> out = new ArrayList<>();
    Iterator<Map.Entry<Integer, List<T>>> it = view.entrySet().iterator();
    while (it.hasNext()) {
      out.addAll(it.next().getValue());
      it.remove();
    }
    size -= out.size();
    return out;
  }
}
