package io.lambdarun.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdarun.api.Archive;
import io.lambdarun.api.InvalidFunctionException;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.InvokeOptions;
import io.lambdarun.core.model.LambdaFunction;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lambdarun invoke}: runs one event through a handler and prints the response. */
@Command(
    name = "invoke",
    mixinStandardHelpOptions = true,
    description = {
      "Invokes a Lambda handler once and prints the response payload on stdout.",
      "Exit codes: 0 success, 1 function error (error JSON on stdout, error type on stderr),"
          + " 2 infrastructure or usage error."
    })
final class InvokeCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Option(names = "--runtime", required = true, description = "Lambda runtime id, e.g. python3.12.")
  String runtime;

  @Option(names = "--handler", required = true, description = "Handler, e.g. app.handler.")
  String handler;

  @Option(
      names = "--code",
      required = true,
      paramLabel = "DIR_ZIP_OR_JAR",
      description = "Code folder, zip or jar.")
  Path code;

  @Option(
      names = "--backend",
      description =
          "Backend to run on (local, docker, kubernetes, ...); chosen automatically when absent.")
  String backend;

  @ArgGroup(exclusive = true)
  PayloadSource payload;

  static final class PayloadSource {
    @Option(names = "--payload", paramLabel = "JSON", description = "Event JSON.")
    String json;

    @Option(
        names = "--payload-file",
        paramLabel = "FILE",
        description = "File holding the event JSON.")
    Path file;
  }

  @Option(
      names = "--env",
      paramLabel = "KEY=VALUE",
      description = "Environment variable; repeatable.")
  Map<String, String> environment = new LinkedHashMap<>();

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description = "Function timeout (default ${DEFAULT-VALUE}).")
  int timeoutSeconds = 30;

  @Option(
      names = "--memory",
      paramLabel = "MB",
      description = "Memory size (default ${DEFAULT-VALUE}).")
  int memoryMib = 128;

  @Option(
      names = "--layer",
      paramLabel = "ZIP",
      description = "Layer zip or folder, in attach order; repeatable.")
  List<Path> layers = new ArrayList<>();

  @Option(
      names = "--image-mapping",
      paramLabel = "RUNTIME=IMAGE",
      description = "Image for a runtime on container backends; repeatable.")
  Map<String, String> imageMappings = new LinkedHashMap<>();

  @Option(names = "--function-name", description = "Function name (default ${DEFAULT-VALUE}).")
  String functionName = "lambdarun-cli";

  @Option(
      names = "--log-tail",
      description = "Print the invocation's log tail on stderr, START to REPORT line.")
  boolean logTail;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    LambdaFunction function = function();
    byte[] event = event();
    LambdaRuntime.Builder builder = LambdaRuntime.builder();
    if (backend != null) {
      builder.backend(backend);
    }
    if (!imageMappings.isEmpty()) {
      builder.imageMappings(
          imageMappings.entrySet().stream()
              .map(mapping -> mapping.getKey() + "=" + mapping.getValue())
              .collect(Collectors.joining(",")));
    }
    try (LambdaRuntime lambdaRuntime = builder.build()) {
      InvocationResult result =
          lambdaRuntime.invoke(function, event, InvokeOptions.builder().logTail(logTail).build());
      out.println(result.payloadUtf8());
      out.flush();
      if (logTail) {
        result
            .logResult()
            .map(tail -> new String(Base64.getDecoder().decode(tail), StandardCharsets.UTF_8))
            .ifPresent(err::print);
      }
      if (result.functionError().isPresent()) {
        err.println(
            "lambdarun: function error ("
                + result.functionError().get().headerValue()
                + ")"
                + errorType(result.payload()));
        err.flush();
        return ExitCodes.FUNCTION_ERROR;
      }
      err.flush();
      return ExitCodes.SUCCESS;
    }
  }

  private LambdaFunction function() {
    LambdaFunction.Builder builder =
        LambdaFunction.builder()
            .functionName(functionName)
            .runtime(runtime)
            .handler(handler)
            .code(CodeArchives.fromPath("--code", code))
            .environment(environment)
            .timeout(Duration.ofSeconds(timeoutSeconds))
            .memoryMib(memoryMib);
    List<Archive> layerArchives = new ArrayList<>();
    for (Path layer : layers) {
      layerArchives.add(CodeArchives.fromPath("--layer", layer));
    }
    return builder.layers(layerArchives).build();
  }

  private byte[] event() {
    if (payload == null) {
      return "{}".getBytes(StandardCharsets.UTF_8);
    }
    if (payload.json != null) {
      return payload.json.getBytes(StandardCharsets.UTF_8);
    }
    if (!Files.isRegularFile(payload.file)) {
      throw new InvalidFunctionException(
          "--payload-file '" + payload.file + "' does not exist; pass a readable file");
    }
    try {
      return Files.readAllBytes(payload.file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read --payload-file '" + payload.file + "'", e);
    }
  }

  /** Returns {@code ": <errorType>"} from an error JSON, or nothing when the body has none. */
  private static String errorType(byte[] body) {
    try {
      JsonNode type = JSON.readTree(body).path("errorType");
      return type.isTextual() ? ": " + type.asText() : "";
    } catch (IOException e) {
      return "";
    }
  }
}
