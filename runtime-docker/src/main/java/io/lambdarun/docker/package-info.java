/**
 * The {@code docker} backend: Lambda execution environments as containers on a Docker engine or on
 * Podman's Docker-compatible socket, driven through the Engine API with docker-java. {@link
 * io.lambdarun.docker.DockerRuntimeProvider} is the entry point, {@link
 * io.lambdarun.docker.DockerConfigKeys} lists the configuration.
 */
package io.lambdarun.docker;
