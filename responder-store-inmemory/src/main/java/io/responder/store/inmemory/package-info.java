/**
 * An in-memory {@link io.responder.core.TrackerStore}: {@link io.responder.store.inmemory.InMemoryTrackerStore}.
 */
package io.responder.store.inmemory;
