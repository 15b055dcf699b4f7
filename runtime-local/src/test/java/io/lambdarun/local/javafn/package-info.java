/**
 * Handlers of the local backend's Java tests, one per handler form and outcome. {@code
 * JavaFunctions} packs these classes at test time into a code zip laid out as Lambda expects
 * (classes at the root, dependencies under {@code lib/}); they run in a child JVM under AWS's
 * runtime interface client, never in the test's JVM.
 */
package io.lambdarun.local.javafn;
