/**
 * Which image a function runs in: image mappings, ECR URI rewriting and the deploy id that tells
 * one configuration of a function version from another. Internal: not an API; may change without
 * notice.
 */
package io.lambdarun.core.image;
