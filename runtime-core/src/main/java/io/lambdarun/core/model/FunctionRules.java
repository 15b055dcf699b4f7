package io.lambdarun.core.model;

import io.lambdarun.api.Archive;
import io.lambdarun.api.ArchiveEntry;
import io.lambdarun.api.ArchiveLimits;
import io.lambdarun.api.InvalidArchiveException;
import io.lambdarun.api.InvalidFunctionException;
import io.lambdarun.api.PackageType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

/** Lambda's rules for a function definition, with AWS's error codes. */
final class FunctionRules {

  /** AWS's error code for a value outside a constraint (range or pattern). */
  static final String VALIDATION = "ValidationException";

  /** The smallest memory size, in MiB. */
  static final int MIN_MEMORY_MIB = 128;

  /** The largest memory size, in MiB. */
  static final int MAX_MEMORY_MIB = 10_240;

  /** The shortest timeout, in seconds. */
  static final int MIN_TIMEOUT_SECONDS = 1;

  /** The longest timeout, in seconds. */
  static final int MAX_TIMEOUT_SECONDS = 900;

  /** The smallest {@code /tmp}, in MiB. */
  static final int MIN_EPHEMERAL_MIB = 512;

  /** The largest {@code /tmp}, in MiB. */
  static final int MAX_EPHEMERAL_MIB = 10_240;

  /** The most bytes all environment keys and values may take together. */
  static final int MAX_ENVIRONMENT_BYTES = 4096;

  /** The most layers a function may use. */
  static final int MAX_LAYERS = 5;

  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
  private static final Pattern VERSION = Pattern.compile("\\$LATEST|[0-9]{1,10}");
  private static final Pattern ENV_KEY = Pattern.compile("[a-zA-Z][a-zA-Z0-9_]+");
  private static final Pattern HANDLER = Pattern.compile("[^\\s]{1,128}");
  private static final Pattern ARN =
      Pattern.compile("arn:aws[a-z-]*:lambda:[a-z0-9-]*:[0-9]*:function:([a-zA-Z0-9_-]{1,64})");

  private FunctionRules() {}

  /**
   * Checks every rule, including that the archives are safe and the code is not empty.
   *
   * @param function the function
   * @param limits the bounds for reading the archives
   * @throws InvalidFunctionException naming the first broken rule
   */
  static void check(LambdaFunction function, ArchiveLimits limits) {
    checkDefinition(function);
    checkArchives(function, limits);
  }

  private static void checkDefinition(LambdaFunction function) {
    String name = function.functionName();
    if (!NAME.matcher(name).matches()) {
      throw new InvalidFunctionException(
          VALIDATION,
          "function name '"
              + name
              + "' must be 1 to 64 letters, digits, hyphens or underscores;"
              + " choose a name such as 'my-function'");
    }
    var arn = ARN.matcher(function.functionArn());
    if (!arn.matches() || !arn.group(1).equals(name)) {
      throw new InvalidFunctionException(
          "function ARN '"
              + function.functionArn()
              + "' is not"
              + " 'arn:aws:lambda:<region>:<account>:function:"
              + name
              + "'; fix the ARN or leave"
              + " it unset to derive it");
    }
    if (!VERSION.matcher(function.version()).matches()) {
      throw new InvalidFunctionException(
          VALIDATION,
          "version '"
              + function.version()
              + "' of function '"
              + name
              + "' must be '$LATEST' or"
              + " a version number; use '$LATEST' or a published version such as '1'");
    }
    checkRange("memory size", function.memoryMib(), MIN_MEMORY_MIB, MAX_MEMORY_MIB, "MiB", name);
    checkTimeout(function.timeout(), name);
    checkRange(
        "ephemeral storage",
        function.ephemeralStorageMib(),
        MIN_EPHEMERAL_MIB,
        MAX_EPHEMERAL_MIB,
        "MiB",
        name);
    checkEnvironment(function.environment(), name);
    if (function.layers().size() > MAX_LAYERS) {
      throw new InvalidFunctionException(
          "function '"
              + name
              + "' uses '"
              + function.layers().size()
              + "' layers; Lambda allows"
              + " at most "
              + MAX_LAYERS
              + ", so merge some layers");
    }
    if (function.packageType() == PackageType.ZIP) {
      checkZip(function);
    } else if (function.imageUri().isEmpty()) {
      throw new InvalidFunctionException(
          "function '" + name + "' has package type Image but no image URI; set the image URI");
    }
  }

  private static void checkArchives(LambdaFunction function, ArchiveLimits limits) {
    function
        .code()
        .ifPresent(
            code -> {
              boolean hasFile =
                  code.entries(limits).stream()
                      .anyMatch(entry -> entry.type() != ArchiveEntry.Type.DIRECTORY);
              if (!hasFile) {
                throw new InvalidArchiveException(
                    "code archive '"
                        + code.name()
                        + "' of function '"
                        + function.functionName()
                        + "' is empty (Uploaded file must be a non-empty zip); add the handler's files to"
                        + " the zip");
              }
            });
    Archive.forEachEntry(function.layers(), limits, (entry, content) -> {});
  }

  private static void checkZip(LambdaFunction function) {
    String name = function.functionName();
    if (!RuntimeCatalog.isKnown(function.runtime())) {
      throw new InvalidFunctionException(
          "runtime '"
              + function.runtime()
              + "' of function '"
              + name
              + "' is not a Lambda"
              + " runtime; use one such as 'python3.12', 'nodejs20.x' or 'java21'");
    }
    if (!HANDLER.matcher(function.handler()).matches()) {
      throw new InvalidFunctionException(
          "handler '"
              + function.handler()
              + "' of function '"
              + name
              + "' must be 1 to 128"
              + " characters without white space; set it, for example 'app.handler'");
    }
    if (function.code().isEmpty()) {
      throw new InvalidFunctionException(
          "function '"
              + name
              + "' has package type Zip but no code archive; provide the code"
              + " zip");
    }
  }

  private static void checkTimeout(Duration timeout, String name) {
    boolean wholeSeconds = timeout.toNanosPart() == 0;
    long seconds = timeout.getSeconds();
    if (!wholeSeconds || seconds < MIN_TIMEOUT_SECONDS || seconds > MAX_TIMEOUT_SECONDS) {
      throw new InvalidFunctionException(
          VALIDATION,
          "timeout '"
              + timeout
              + "' of function '"
              + name
              + "' must be a whole number of seconds"
              + " from "
              + MIN_TIMEOUT_SECONDS
              + " to "
              + MAX_TIMEOUT_SECONDS
              + "; set a value in"
              + " that range");
    }
  }

  private static void checkRange(
      String what, int value, int min, int max, String unit, String name) {
    if (value < min || value > max) {
      throw new InvalidFunctionException(
          VALIDATION,
          what
              + " '"
              + value
              + "' of function '"
              + name
              + "' must be from "
              + min
              + " to "
              + max
              + " "
              + unit
              + "; set a value in that range");
    }
  }

  private static void checkEnvironment(Map<String, String> environment, String name) {
    ReservedKeys.check(environment);
    for (String key : environment.keySet()) {
      if (!ENV_KEY.matcher(key).matches()) {
        throw new InvalidFunctionException(
            VALIDATION,
            "environment key '"
                + key
                + "' of function '"
                + name
                + "' must match"
                + " '[a-zA-Z]([a-zA-Z0-9_])+'; rename the variable");
      }
    }
    long bytes = 0;
    for (Map.Entry<String, String> entry : environment.entrySet()) {
      if (!isValidText(entry.getValue())) {
        throw new InvalidFunctionException(
            "the value of environment variable '"
                + entry.getKey()
                + "' of function '"
                + name
                + "' is not valid text (it holds a NUL character or an unpaired surrogate); encode"
                + " binary data, for example as base64");
      }
      bytes += entry.getKey().getBytes(StandardCharsets.UTF_8).length;
      bytes += entry.getValue().getBytes(StandardCharsets.UTF_8).length;
    }
    if (bytes > MAX_ENVIRONMENT_BYTES) {
      throw new InvalidFunctionException(
          "Lambda was unable to configure your environment variables because the environment"
              + " variables you have provided exceeded the 4KB limit; function '"
              + name
              + "' uses '"
              + bytes
              + "' bytes of keys and values, so move large values elsewhere");
    }
  }

  private static boolean isValidText(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\0') {
        return false;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
