package io.lambdarun.api;

/** How a function's code is delivered, as in Lambda's {@code PackageType}. */
public enum PackageType {
  /** A zip archive of code run on a runtime's base image; the handler names the entry point. */
  ZIP,
  /** A container image that holds the code and its own runtime interface client. */
  IMAGE
}
