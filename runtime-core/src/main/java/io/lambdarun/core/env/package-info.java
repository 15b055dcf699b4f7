/**
 * Lambda's environment rules: the precedence of an instance's variables and the rewriting of
 * loopback URLs to the host alias. Internal: not an API; may change without notice.
 */
package io.lambdarun.core.env;
