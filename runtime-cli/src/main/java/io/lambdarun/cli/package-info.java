/**
 * The {@code lambdarun} command ({@code invoke}, {@code serve}, {@code backends}); its entry point
 * is {@link io.lambdarun.cli.Main}. Not a library API.
 */
package io.lambdarun.cli;
