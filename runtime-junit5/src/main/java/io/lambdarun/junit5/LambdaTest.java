package io.lambdarun.junit5;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated class's tests against one {@link io.lambdarun.core.LambdaRuntime}, started
 * before the first test and closed after the last, which terminates every instance it launched.
 *
 * <pre>{@code
 * @LambdaTest
 * class HelloTest {
 *   @Function(runtime = "java21", handler = "example.Hello::handleRequest")
 *   static LambdaFunction hello;
 *
 *   @Test
 *   void greets(LambdaInvoker lambda) {
 *     assertThat(lambda.invoke(hello, "{\"name\":\"world\"}").payloadUtf8())
 *         .isEqualTo("{\"message\":\"Hello, world!\"}");
 *   }
 * }
 * }</pre>
 *
 * <p>Fields annotated with {@link Function} declare the functions; test and lifecycle methods take
 * the runtime, a function, a {@link LambdaInvoker} or an {@link Invoke}d result as parameters.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(LambdaExtension.class)
public @interface LambdaTest {

  /**
   * Names the backend the runtime uses; it never falls back to another.
   *
   * @return a backend name such as {@code local} (the default), {@code docker} or {@code
   *     kubernetes}, whose module must be on the test class path
   */
  String backend() default "local";
}
