package io.lambdarun.server;

import io.lambdarun.core.model.LambdaFunction;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The function a request names: a name, a full or partial ARN, each optionally qualified; only
 * {@code $LATEST} exists until versions are served.
 *
 * @param name the function name
 * @param qualifier the version or alias asked for, empty for {@code $LATEST}
 */
record FunctionRef(String name, Optional<String> qualifier) {

  private static final Pattern REF =
      Pattern.compile(
          "(?:arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\\d{12}:function:|\\d{12}:function:)?"
              + "([a-zA-Z0-9_-]{1,64})(?::(\\$LATEST|[a-zA-Z0-9_-]{1,128}))?");

  static FunctionRef parse(String value, Optional<String> queryQualifier) {
    Matcher matcher = REF.matcher(value);
    if (!matcher.matches()) {
      throw ApiException.validation(
          "1 validation error detected: Value '"
              + value
              + "' at 'functionName' failed to satisfy"
              + " constraint: Member must satisfy regular expression pattern: a function name, or"
              + " a full or partial ARN");
    }
    Optional<String> qualifier =
        Optional.ofNullable(matcher.group(2)).or(() -> queryQualifier.filter(q -> !q.isEmpty()));
    return new FunctionRef(matcher.group(1), qualifier);
  }

  /**
   * The ARN AWS names in its answers, {@code arn:aws:lambda:<region>:<account>:function:<name>}.
   */
  String arn() {
    return "arn:aws:lambda:"
        + LambdaFunction.DEFAULT_REGION
        + ":"
        + LambdaFunction.DEFAULT_ACCOUNT
        + ":function:"
        + name
        + qualifier.map(q -> ":" + q).orElse("");
  }

  /**
   * Refuses a qualifier other than {@code $LATEST}, as AWS refuses a version that does not exist.
   */
  FunctionRef latestOnly() {
    if (qualifier.isPresent() && !qualifier.get().equals(LambdaFunction.LATEST)) {
      throw ApiException.functionNotFound(arn());
    }
    return this;
  }
}
