/**
 * A seeded fee-market simulation: generated histories of channel breaches with deadlines under fee
 * spikes, full blocks, evicted disputes, reorganisations (some moving the dispute), restarts and node
 * outages ({@link io.responder.testkit.feesim.FeeHistoryGenerator}), each run twice over identical
 * chains, once with what a rebroadcast-only responder has and once with every fee mechanism the
 * history offers, and judged against a reference model that knows which penalties any means available
 * to the Responder could have got mined before their deadline
 * ({@link io.responder.testkit.feesim.FeeSimulation}).
 */
package io.responder.testkit.feesim;
