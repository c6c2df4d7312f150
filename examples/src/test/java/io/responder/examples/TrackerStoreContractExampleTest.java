package io.responder.examples;

import io.responder.core.TrackerStore;
import io.responder.store.inmemory.InMemoryTrackerStore;
import io.responder.testkit.TrackerStoreContract;

// tag::contract[]
/** Every test of the contract, run against a store: put your own store here. */
class TrackerStoreContractExampleTest extends TrackerStoreContract {
  @Override
  protected TrackerStore createStore() {
    return new InMemoryTrackerStore();
  }
}
// end::contract[]
