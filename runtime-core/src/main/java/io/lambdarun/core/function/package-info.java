/**
 * The validation rules of a function's configuration. Internal: not an API; may change without
 * notice.
 */
package io.lambdarun.core.function;
