/**
 * An in-memory {@link io.responder.core.TrackerStore}: {@link io.responder.store.inmemory.InMemoryTrackerStore}.
 *
 * <p>Nullness: the package is {@code @NullMarked} (JSpecify): a parameter, return value or element
 * is never null unless it is marked {@code @Nullable}.
 */
@NullMarked
package io.responder.store.inmemory;

import org.jspecify.annotations.NullMarked;
