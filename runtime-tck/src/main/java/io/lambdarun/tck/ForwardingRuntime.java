package io.lambdarun.tck;

import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.HostAccess;
import io.lambdarun.api.Instance;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.LogLineListener;
import io.lambdarun.api.RuntimeApiAccess;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A runtime that forwards every call of the SPI to another, for tests that wrap a real backend: to
 * count or record what core asks of it, or to break one promise and see a check fail. Subclasses
 * override only what they change, so a method added to {@link ContainerRuntime} is forwarded here,
 * once, for all of them.
 */
public class ForwardingRuntime implements ContainerRuntime {

  /** The runtime every call goes to. */
  protected final ContainerRuntime delegate;

  /**
   * Wraps a runtime.
   *
   * @param delegate the runtime every call goes to
   */
  public ForwardingRuntime(ContainerRuntime delegate) {
    this.delegate = delegate;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public HostAccess hostAccess() {
    return delegate.hostAccess();
  }

  @Override
  public Optional<RuntimeApiAccess> runtimeApiAccess() {
    return delegate.runtimeApiAccess();
  }

  @Override
  public OptionalInt exitCode(Instance instance) {
    return delegate.exitCode(instance);
  }

  @Override
  public OptionalLong maxMemoryUsedBytes(Instance instance) {
    return delegate.maxMemoryUsedBytes(instance);
  }

  @Override
  public boolean launchUsesTags() {
    return delegate.launchUsesTags();
  }

  @Override
  public Instance launch(LaunchSpec spec) {
    return delegate.launch(spec);
  }

  @Override
  public void terminate(Instance instance) {
    delegate.terminate(instance);
  }

  @Override
  public String logs(Instance instance, Instant since) {
    return delegate.logs(instance, since);
  }

  @Override
  public boolean followLogs(Instance instance, LogLineListener listener) {
    return delegate.followLogs(instance, listener);
  }

  @Override
  public int sweepOrphans() {
    return delegate.sweepOrphans();
  }

  @Override
  public void prepull(String image) {
    delegate.prepull(image);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
