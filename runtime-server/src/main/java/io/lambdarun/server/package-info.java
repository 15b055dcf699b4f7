/**
 * The AWS Lambda API over HTTP on top of a {@link io.lambdarun.core.LambdaRuntime}, for the AWS
 * SDKs and the AWS CLI: start a {@link io.lambdarun.server.LambdaServer} with {@link
 * io.lambdarun.server.ServerOptions} (its public types are its API; the package-private ones
 * implement the operations).
 */
package io.lambdarun.server;
