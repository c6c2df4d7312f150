/**
 * Benchmarks of the Responder: JMH benchmarks of {@code onBlock}, {@code handleBreach} and start-up,
 * the heap measurement {@link io.responder.benchmarks.HeapPerTracker}, the trace replay
 * {@link io.responder.benchmarks.TraceReplay} and the JDBC store's numbers
 * {@link io.responder.benchmarks.JdbcStoreBenchmark}. Not published; BENCHMARKS.md at the repository root
 * gives the commands and the results.
 */
package io.responder.benchmarks;
