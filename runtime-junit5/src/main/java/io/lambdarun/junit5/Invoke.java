package io.lambdarun.junit5;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes an {@link io.lambdarun.core.model.InvocationResult} parameter the result of invoking a
 * declared function with a payload just before the test runs, with the log tail requested.
 *
 * <pre>{@code
 * @Test
 * void greets(@Invoke(payload = "{\"name\":\"world\"}") InvocationResult result) {
 *   assertThat(result.payloadUtf8()).isEqualTo("{\"message\":\"Hello, world!\"}");
 * }
 * }</pre>
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Invoke {

  /**
   * Names the function to invoke.
   *
   * @return a declared function's name; empty when the class declares exactly one
   */
  String function() default "";

  /**
   * Gives the event.
   *
   * @return the payload as UTF-8 text, usually JSON
   */
  String payload() default "{}";
}
