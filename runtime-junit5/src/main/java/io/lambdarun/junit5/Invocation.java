package io.lambdarun.junit5;

import io.lambdarun.core.model.InvocationResult;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** One invocation a test made through the extension: which function, and its result. */
record Invocation(String functionName, InvocationResult result) {

  /** Returns the decoded log tail when the backend returned a non-blank one. */
  Optional<FunctionLogTail> logTail() {
    return result
        .logResult()
        .map(base64 -> new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8))
        .filter(tail -> !tail.isBlank())
        .map(tail -> new FunctionLogTail(functionName, result.requestId(), tail));
  }
}
