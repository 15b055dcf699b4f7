package io.lambdarun.junit5;

import io.lambdarun.core.model.LambdaFunction;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/** The functions a {@link LambdaTest} class declares, sorted by name. Thread-safe. */
final class DeclaredFunctions {

  private final Map<String, LambdaFunction> byName = new TreeMap<>();

  synchronized void put(LambdaFunction function) {
    byName.put(function.functionName(), function);
  }

  synchronized LambdaFunction computeIfAbsent(String name, Supplier<LambdaFunction> builder) {
    LambdaFunction function = byName.get(name);
    if (function == null) {
      function = builder.get();
      byName.put(name, function);
    }
    return function;
  }

  synchronized LambdaFunction named(String name) {
    LambdaFunction function = byName.get(name);
    if (function == null) {
      throw new LambdaTestSetupException(
          "no function named '"
              + name
              + "' is declared (declared: "
              + byName.keySet()
              + "); declare it on a field with @Function or use one of those names");
    }
    return function;
  }

  synchronized LambdaFunction only() {
    if (byName.size() != 1) {
      throw new LambdaTestSetupException(
          "the test class declares "
              + byName.size()
              + " functions "
              + byName.keySet()
              + " but the parameter names none; name one with @Function(name = ...) or"
              + " @Invoke(function = ...)");
    }
    return byName.values().iterator().next();
  }
}
