/**
 * The technology compatibility kit: abstract JUnit 5 suites that prove a backend honours the {@link
 * io.lambdarun.api.ContainerRuntime} contract.
 *
 * <p><b>How a backend author uses it.</b> Depend on {@code io.lambdarun:runtime-tck} with test
 * scope and write two classes:
 *
 * <pre>{@code
 * class AcmeProviderContractTest extends ProviderContract {
 *   protected ContainerRuntimeProvider provider() { return new AcmeRuntimeProvider(); }
 * }
 *
 * class AcmeRuntimeContractIT extends ContainerRuntimeContract {
 *   protected ContainerRuntimeProvider provider() { return new AcmeRuntimeProvider(); }
 *   protected String pythonImage() { return "my-registry/lambda-python:3.12"; }
 *   protected long liveResources(Owner owner) { return countWorkloadsLabelled(owner.id()); }
 * }
 * }</pre>
 *
 * <p><b>What the suites need.</b> {@link io.lambdarun.tck.ProviderContract} needs nothing but the
 * provider class. {@link io.lambdarun.tck.ContainerRuntimeContract} needs a live backend (it fails,
 * never skips, when the backend is unavailable) and a way to run a Python 3 zip function: for
 * container backends, an image whose entry point behaves like the AWS Runtime Interface Emulator
 * (the {@code public.ecr.aws/lambda/python} images do), running the handler given as the container
 * command from the code in {@code /var/task}; backends that run no containers ignore the image. The
 * handler, {@code tck.handler} in {@code tck.py}, uses only Python's standard library and makes no
 * network calls; it imports the layers' modules from {@code /opt/python}, as on Lambda. The custom
 * runtime check runs a {@code provided.al2023} function whose {@code bootstrap} is a Python 3
 * script ({@code #!/usr/bin/env python3}) speaking the Runtime API, so in Runtime API mode the
 * image's entry point must run {@code /var/runtime/bootstrap}, as AWS's base images do. To check
 * {@code sweepOrphans}, the suite also creates runtimes for owners of its own: another live owner,
 * an owner whose process on this host has ended, and one on another host.
 *
 * <p><b>The checks can fail.</b> {@code runtime-local}'s {@code ContractCatchesBrokenBackendsIT}
 * runs each backend-side check against the local backend with that one promise broken and expects
 * the check to fail; a new check gets a broken backend there too.
 *
 * <p><b>Runtime API mode with real runtime clients.</b> A backend whose instances run images also
 * extends {@link io.lambdarun.tck.RuntimeApiImageContract}: a Python image and a Java image (AWS's
 * Java runtime interface client, running {@link io.lambdarun.tck.JavaGreeter}) take one event from
 * a {@link io.lambdarun.tck.OneEventRuntimeApi} on 127.0.0.1, for zip and image functions, so the
 * backend's configuration must put instances on the host's loopback (host network mode); the
 * subclass builds images, says how to remove a workload out of band and checks that the workload
 * publishes nothing, and keeps its backend's own cases next to the inherited ones.
 */
package io.lambdarun.tck;
