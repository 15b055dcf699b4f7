package io.lambdarun.it.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.lambdarun.api.Archive;
import io.lambdarun.api.Instance;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.it.bench.Bench.Report;
import io.lambdarun.it.bench.Bench.Stats;
import io.lambdarun.it.bench.LocalColdStartBenchmark.MiniRuntimeApi;
import java.io.File;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Figure 5b: {@code invoke} on a cold {@code java21} function of the local backend (the hello-java
 * example) until the response, against the floor of the same JVM with the same JVM options, AWS's
 * runtime interface client and handler, started by hand against a minimal Runtime API and answering
 * one event.
 */
final class LocalJavaColdStartBenchmark {

  private static final byte[] EVENT = "{\"name\":\"world\"}".getBytes(UTF_8);
  private static final String ANSWER = "{\"message\":\"Hello, world!\"}";
  private static final String CLIENT = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
  private static final String HANDLER = "example.Hello::handleRequest";

  private LocalJavaColdStartBenchmark() {}

  static void run(Report report) throws Exception {
    int warmup = Bench.setting("warmup", 3);
    int rounds = Bench.setting("local.rounds", 30);
    Path classes = Bench.ROOT.resolve("examples/hello-java/target/classes");
    if (!Files.isRegularFile(classes.resolve("example/Hello.class"))) {
      throw new IllegalStateException(
          "'" + classes + "' holds no example/Hello.class; build examples/hello-java first");
    }
    Archive code = Archive.ofDirectory("hello-java", classes);
    Path work = Bench.tempDir("lambdarun-bench-java");
    MiniRuntimeApi api = new MiniRuntimeApi();
    Bench.TapProvider tap = new Bench.TapProvider("local");
    List<Long> floor = new ArrayList<>();
    List<Long> subject = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    List<Long> launchPhase = new ArrayList<>();
    List<String> floorCommand = null;
    try (LambdaRuntime runtime =
        LambdaRuntime.builder().addProvider(tap).backend(tap.backendName()).build()) {
      for (int i = 0; i < warmup + rounds; i++) {
        long a;
        long b;
        if (i % 2 == 0 && floorCommand != null) {
          a = floorOnce(api, floorCommand, classes);
          b = subjectOnce(runtime, code, "bench-java-cold-" + i);
        } else {
          b = subjectOnce(runtime, code, "bench-java-cold-" + i);
          if (floorCommand == null) {
            floorCommand = floorCommand(tap.launched.get(0), classes, work);
          }
          a = floorOnce(api, floorCommand, classes);
        }
        if (i >= warmup) {
          launchPhase.add(tap.lastLaunchNanos);
          floor.add(a);
          subject.add(b);
          ratios.add((double) b / a);
        } else {
          System.out.printf("  warmup %d: floor %.1f ms, lambdarun %.1f ms%n", i, a / 1e6, b / 1e6);
        }
      }
    } finally {
      api.close();
      Bench.deleteTree(work);
    }
    Stats f = Stats.ofNanos(floor);
    Stats s = Stats.ofNanos(subject);
    Stats r = Stats.of(ratios.stream().mapToDouble(Double::doubleValue).toArray());
    double ratio = s.median() / f.median();
    report.row(
        "java21 cold invoke until response (ms), " + rounds + " pairs",
        f.mmm(),
        s.mmm(),
        Bench.fmt(ratio) + " (pairwise " + r.mmm() + ")",
        "median <= 1.2",
        ratio <= 1.2);
    report.note(
        "median of the backend's launch() inside lambdarun's cold invoke: "
            + Bench.fmt(Stats.ofNanos(launchPhase).median())
            + " ms (starting the process; since the"
            + " Runtime API moved to core, core then waits for the runtime client's first /next);"
            + " the rest is that wait, core, the event and the answer");
    report.note(
        "floor: ProcessBuilder starts `"
            + String.join(" ", floorCommand.subList(0, 1))
            + "` (the JDK the backend chose) with the backend's JVM options, AWS's runtime interface"
            + " client and its dependencies plus examples/hello-java/target/classes on -classpath,"
            + " main class AWSLambda, handler "
            + HANDLER
            + ", in that folder, AWS_LAMBDA_RUNTIME_API"
            + " pointing at a minimal JDK HttpServer Runtime API on 127.0.0.1 that hands out the"
            + " event; timed until the response is posted back. lambdarun: LambdaRuntime.invoke on a"
            + " new java21 function (backend local, code = the same classes folder), evicted between"
            + " rounds outside the timing; rounds alternate floor-first / lambdarun-first");
  }

  private static long subjectOnce(LambdaRuntime runtime, Archive code, String name) {
    LambdaFunction function =
        LambdaFunction.builder()
            .functionName(name)
            .runtime("java21")
            .handler(HANDLER)
            .code(code)
            .build();
    long start = System.nanoTime();
    InvocationResult result = runtime.invoke(function, EVENT);
    long elapsed = System.nanoTime() - start;
    if (!ANSWER.equals(result.payloadUtf8()) || !result.coldStart()) {
      throw new IllegalStateException("lambdarun answered '" + result.payloadUtf8() + "'");
    }
    runtime.evict(name);
    return elapsed;
  }

  /**
   * The floor's command: the JVM the backend ran (named in the instance details), the same JVM
   * options, the client's jars from this JVM's class path and the handler's classes.
   */
  private static List<String> floorCommand(Instance instance, Path classes, Path work)
      throws Exception {
    String described = instance.details().get("interpreter"); // "JDK <version> at <home>"
    Path home = Path.of(described.substring(described.indexOf(" at ") + 4));
    int major = Integer.parseInt(described.split(" ")[1].split("[.+-]")[0]);
    Class<?> client =
        Class.forName(CLIENT, false, LocalJavaColdStartBenchmark.class.getClassLoader());
    Path library = work.resolve("libaws-lambda-jni.so");
    try (InputStream in =
        client.getResourceAsStream(
            "/jni/libaws-lambda-jni.linux-"
                + (System.getProperty("os.arch").equals("aarch64") ? "aarch_64" : "x86_64")
                + ".so")) {
      Files.copy(in, library, StandardCopyOption.REPLACE_EXISTING);
    }
    List<String> classPath = new ArrayList<>();
    for (String marker :
        List.of(
            CLIENT,
            "com.amazonaws.services.lambda.runtime.Context",
            "com.amazonaws.services.lambda.runtime.serialization.PojoSerializer",
            "software.amazon.awssdk.utilslite.SdkInternalThreadLocal")) {
      String jar =
          Path.of(
                  Class.forName(marker, false, client.getClassLoader())
                      .getProtectionDomain()
                      .getCodeSource()
                      .getLocation()
                      .toURI())
              .toString();
      if (!classPath.contains(jar)) {
        classPath.add(jar);
      }
    }
    classPath.add(classes.toString());
    List<String> command =
        new ArrayList<>(
            List.of(
                home.resolve("bin/java").toString(),
                "-XX:MaxHeapSize=111411k",
                "-XX:+UseSerialGC",
                "-XX:+TieredCompilation",
                "-XX:TieredStopAtLevel=1",
                "-Djava.net.preferIPv4Stack=true"));
    if (major >= 22) {
      command.add("--enable-native-access=ALL-UNNAMED");
    }
    command.add(
        "-Dcom.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI="
            + library);
    command.addAll(
        List.of("-classpath", String.join(File.pathSeparator, classPath), CLIENT, HANDLER));
    return command;
  }

  private static long floorOnce(MiniRuntimeApi api, List<String> command, Path classes)
      throws Exception {
    CompletableFuture<String> answer = api.arm(EVENT);
    long start = System.nanoTime();
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(classes.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.clear();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + api.port());
    env.put("_HANDLER", HANDLER);
    env.put("LAMBDA_TASK_ROOT", classes.toString());
    env.put("AWS_LAMBDA_FUNCTION_NAME", "bench-floor");
    env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128");
    env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
    env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/bench-floor");
    env.put("AWS_LAMBDA_LOG_STREAM_NAME", "bench");
    Process process = builder.start();
    try {
      String body = answer.get(30, TimeUnit.SECONDS);
      long elapsed = System.nanoTime() - start;
      if (!ANSWER.equals(body)) {
        throw new IllegalStateException("floor answered '" + body + "'");
      }
      return elapsed;
    } finally {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      api.release();
    }
  }
}
