package io.responder.tests;

import io.responder.core.TrackerStore;
import io.responder.store.inmemory.InMemoryTrackerStore;
import io.responder.testkit.TrackerStoreContract;

/** The in-memory store honours the same contract as a durable one. */
class InMemoryTrackerStoreTest extends TrackerStoreContract {
  @Override
  protected TrackerStore createStore() {
    return new InMemoryTrackerStore();
  }
}
