package io.lambdarun.junit5;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a function on a {@link io.lambdarun.core.model.LambdaFunction} field of a {@link
 * LambdaTest} class, or picks one by name for a {@code LambdaFunction} parameter.
 *
 * <p>Without attributes, the field must hold a function (built with {@code
 * LambdaFunction.builder()}), which is used as it is. With attributes, the extension builds the
 * function from them and assigns it to the field: static fields before the first test, instance
 * fields on each new test instance (the function is built once per class).
 *
 * <p>Without {@link #code()}, a {@code java*} function's code is the test JVM's class path, found
 * as {@link ClassPathCode} says: the module's compiled classes and its dependencies, no packaging
 * step.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Function {

  /**
   * Names the function; on a parameter, selects the declared function of that name.
   *
   * @return the function name; empty means the field's name
   */
  String name() default "";

  /**
   * Gives the runtime of a function built from this annotation.
   *
   * @return a runtime id such as {@code java21} or {@code python3.12}
   */
  String runtime() default "";

  /**
   * Gives the handler of a function built from this annotation.
   *
   * @return for example {@code example.Hello::handleRequest} or {@code app.handler}
   */
  String handler() default "";

  /**
   * Locates the code of a function built from this annotation.
   *
   * @return a folder, zip or jar, relative to the test JVM's working directory (the module's folder
   *     under Maven); empty means the class path for {@code java*} runtimes
   */
  String code() default "";

  /**
   * Gives the function's own environment variables.
   *
   * @return entries of the form {@code KEY=value}
   */
  String[] environment() default {};

  /**
   * Gives the timeout of a function built from this annotation.
   *
   * @return whole seconds, 1 to 900; 0 keeps Lambda's default of 3
   */
  int timeoutSeconds() default 0;

  /**
   * Gives the memory of a function built from this annotation.
   *
   * @return MiB, 128 to 10240; 0 keeps Lambda's default of 128
   */
  int memoryMib() default 0;
}
