package io.lambdarun.core.telemetry;

/**
 * Observes what a {@link io.lambdarun.core.LambdaRuntime} does, for an embedder's metrics and
 * events: register one with {@link io.lambdarun.core.LambdaRuntime.Builder#addListener} or, with
 * Guice, {@code Multibinder.newSetBinder(binder(), LambdaRuntimeListener.class)}.
 *
 * <p>Every method does nothing by default. Methods are called on the threads doing the work (the
 * invoking thread, the reaper, the closing thread), possibly concurrently; they must return
 * quickly. An exception a listener throws is logged and never changes an invocation's outcome.
 */
public interface LambdaRuntimeListener {

  /**
   * An instance became ready.
   *
   * @param event the instance and its init duration
   */
  default void instanceStarted(InstanceStarted event) {}

  /**
   * An instance was torn down.
   *
   * @param event the instance and the reason
   */
  default void instanceStopped(InstanceStopped event) {}

  /**
   * An event is being handed to an instance.
   *
   * @param event the invocation
   */
  default void invocationStarted(InvocationStarted event) {}

  /**
   * An invocation ended, as its {@code REPORT} line says.
   *
   * @param report the durations, memory and outcome
   */
  default void invocationFinished(InvocationReport report) {}

  /**
   * An invocation was refused for lack of concurrency.
   *
   * @param event the function
   */
  default void throttled(Throttled event) {}
}
