/**
 * Micrometer meters for the Responder: {@link io.responder.micrometer.ResponderMeters}, a
 * {@link io.responder.core.ResponderMetrics} to hand to
 * {@link io.responder.core.Responder.Builder#metrics}.
 *
 * <p>Nullness: the package is {@code @NullMarked} (JSpecify): a parameter, return value or element
 * is never null unless it is marked {@code @Nullable}.
 */
@NullMarked
package io.responder.micrometer;

import org.jspecify.annotations.NullMarked;
