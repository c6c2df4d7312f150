/**
 * Implementation details of the core. Not published API: types here may change in any release
 * without notice, and hosts must not depend on them.
 */
@NullMarked
package io.responder.core.internal;

import org.jspecify.annotations.NullMarked;
