package io.lambdarun.junit5;

import io.lambdarun.api.Archive;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.LambdaFunction;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ExtensionContext.Store;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The extension behind {@link LambdaTest}: one runtime per test class, {@link Function} fields,
 * parameters, and log tails on failures. Register it through {@code @LambdaTest}.
 */
public final class LambdaExtension
    implements BeforeAllCallback,
        AfterAllCallback,
        TestInstancePostProcessor,
        ParameterResolver,
        TestExecutionExceptionHandler {

  private static final Namespace NAMESPACE = Namespace.create(LambdaExtension.class);
  private static final String RUNTIME = "runtime";
  private static final String FUNCTIONS = "functions";
  private static final String INVOCATIONS = "invocations:";

  @Override
  public void beforeAll(ExtensionContext context) {
    Store store = context.getStore(NAMESPACE);
    if (store.get(RUNTIME) != null) {
      return; // a @Nested class shares its enclosing class's runtime
    }
    Class<?> testClass = context.getRequiredTestClass();
    DeclaredFunctions functions = new DeclaredFunctions();
    declare(testClass, null, functions, field -> Modifier.isStatic(field.getModifiers()));
    store.put(FUNCTIONS, functions);
    String backend =
        AnnotationSupport.findAnnotation(testClass, LambdaTest.class)
            .map(LambdaTest::backend)
            .orElse("local");
    store.put(RUNTIME, LambdaRuntime.builder().backend(backend).build());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    LambdaRuntime runtime = context.getStore(NAMESPACE).remove(RUNTIME, LambdaRuntime.class);
    if (runtime != null) {
      runtime.close();
    }
  }

  @Override
  public void postProcessTestInstance(Object testInstance, ExtensionContext context) {
    declare(
        testInstance.getClass(),
        testInstance,
        functions(context),
        field -> !Modifier.isStatic(field.getModifiers()));
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == LambdaRuntime.class
        || type == LambdaFunction.class
        || type == LambdaInvoker.class
        || (type == InvocationResult.class && parameter.isAnnotated(Invoke.class));
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    if (type == LambdaRuntime.class) {
      return runtime(context);
    }
    DeclaredFunctions functions = functions(context);
    if (type == LambdaFunction.class) {
      return parameter
          .findAnnotation(Function.class)
          .map(Function::name)
          .filter(name -> !name.isEmpty())
          .map(functions::named)
          .orElseGet(functions::only);
    }
    LambdaInvoker invoker = new LambdaInvoker(runtime(context), functions, invocations(context));
    if (type == LambdaInvoker.class) {
      return invoker;
    }
    Invoke invoke = parameter.findAnnotation(Invoke.class).orElseThrow();
    LambdaFunction function =
        invoke.function().isEmpty() ? functions.only() : functions.named(invoke.function());
    return invoker.invoke(function, invoke.payload());
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable throwable)
      throws Throwable {
    @SuppressWarnings("unchecked")
    List<Invocation> invocations =
        context.getStore(NAMESPACE).get(INVOCATIONS + context.getUniqueId(), List.class);
    if (invocations != null) {
      synchronized (invocations) {
        for (Invocation invocation : invocations) {
          Optional<FunctionLogTail> tail = invocation.logTail();
          tail.ifPresent(throwable::addSuppressed);
          tail.ifPresent(
              t -> context.publishReportEntry("lambdarun.log-tail." + t.functionName(), t.tail()));
        }
      }
    }
    throw throwable;
  }

  private static LambdaRuntime runtime(ExtensionContext context) {
    return context.getStore(NAMESPACE).get(RUNTIME, LambdaRuntime.class);
  }

  private static DeclaredFunctions functions(ExtensionContext context) {
    return context.getStore(NAMESPACE).get(FUNCTIONS, DeclaredFunctions.class);
  }

  @SuppressWarnings("unchecked")
  private static List<Invocation> invocations(ExtensionContext context) {
    return context
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            INVOCATIONS + context.getUniqueId(),
            key -> Collections.synchronizedList(new ArrayList<Invocation>()),
            List.class);
  }

  private static void declare(
      Class<?> testClass, Object instance, DeclaredFunctions functions, Predicate<Field> which) {
    for (Field field : AnnotationSupport.findAnnotatedFields(testClass, Function.class, which)) {
      String where = "'" + field.getDeclaringClass().getSimpleName() + "." + field.getName() + "'";
      if (field.getType() != LambdaFunction.class) {
        throw new LambdaTestSetupException(
            "field "
                + where
                + " is annotated @Function but is a '"
                + field.getType().getSimpleName()
                + "'; declare it as a LambdaFunction");
      }
      Function declaration = field.getAnnotation(Function.class);
      field.setAccessible(true);
      if (isEmpty(declaration)) {
        LambdaFunction value = (LambdaFunction) read(field, instance);
        if (value == null) {
          throw new LambdaTestSetupException(
              "field "
                  + where
                  + " is annotated @Function but holds null and sets no attributes;"
                  + " build the function in the declaration or set runtime, handler and code");
        }
        functions.put(value);
        continue;
      }
      if (Modifier.isFinal(field.getModifiers())) {
        throw new LambdaTestSetupException(
            "field "
                + where
                + " is final, so the function its @Function attributes declare cannot"
                + " be assigned; remove 'final'");
      }
      String name = declaration.name().isEmpty() ? field.getName() : declaration.name();
      write(field, instance, functions.computeIfAbsent(name, () -> build(name, declaration)));
    }
  }

  private static boolean isEmpty(Function declaration) {
    return declaration.name().isEmpty()
        && declaration.runtime().isEmpty()
        && declaration.handler().isEmpty()
        && declaration.code().isEmpty()
        && declaration.environment().length == 0
        && declaration.timeoutSeconds() == 0
        && declaration.memoryMib() == 0;
  }

  private static LambdaFunction build(String name, Function declaration) {
    if (declaration.runtime().isBlank() || declaration.handler().isBlank()) {
      throw new LambdaTestSetupException(
          "function '"
              + name
              + "' has runtime '"
              + declaration.runtime()
              + "' and handler '"
              + declaration.handler()
              + "'; set both in @Function, for example runtime = \"java21\","
              + " handler = \"example.Hello::handleRequest\"");
    }
    LambdaFunction.Builder builder =
        LambdaFunction.builder()
            .functionName(name)
            .runtime(declaration.runtime())
            .handler(declaration.handler())
            .code(code(name, declaration));
    for (String variable : declaration.environment()) {
      int equals = variable.indexOf('=');
      if (equals <= 0) {
        throw new LambdaTestSetupException(
            "environment entry '"
                + variable
                + "' of function '"
                + name
                + "' is not KEY=value; write it as KEY=value");
      }
      builder.putEnvironment(variable.substring(0, equals), variable.substring(equals + 1));
    }
    if (declaration.timeoutSeconds() > 0) {
      builder.timeoutSeconds(declaration.timeoutSeconds());
    }
    if (declaration.memoryMib() > 0) {
      builder.memoryMib(declaration.memoryMib());
    }
    return builder.build();
  }

  private static Archive code(String name, Function declaration) {
    if (declaration.code().isEmpty()) {
      if (!declaration.runtime().startsWith("java")) {
        throw new LambdaTestSetupException(
            "function '"
                + name
                + "' has runtime '"
                + declaration.runtime()
                + "' but no code; set @Function(code = ...) to a folder, zip or jar (only java*"
                + " functions take their code from the class path)");
      }
      return ClassPathCode.forHandler(declaration.handler());
    }
    Path code = Path.of(declaration.code());
    if (Files.isDirectory(code)) {
      return Archive.ofDirectory(declaration.code(), code);
    }
    if (Files.isRegularFile(code)) {
      return Archive.ofFile(code);
    }
    throw new LambdaTestSetupException(
        "code '"
            + declaration.code()
            + "' of function '"
            + name
            + "' does not exist at '"
            + code.toAbsolutePath()
            + "'; give a folder, zip or jar relative to the working"
            + " directory (the module's folder under Maven)");
  }

  private static Object read(Field field, Object instance) {
    try {
      return field.get(instance);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot read field '" + field + "'", e);
    }
  }

  private static void write(Field field, Object instance, LambdaFunction function) {
    try {
      field.set(instance, function);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot write field '" + field + "'", e);
    }
  }
}
