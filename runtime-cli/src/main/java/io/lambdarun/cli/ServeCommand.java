package io.lambdarun.cli;

import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.server.LambdaServer;
import io.lambdarun.server.ServerCredentials;
import io.lambdarun.server.ServerOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lambdarun serve}: the AWS Lambda API over HTTP until SIGINT or SIGTERM, which stop the
 * server and terminate every instance.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serves the AWS Lambda API for the AWS SDKs and the AWS CLI (--endpoint-url) until stopped"
          + " with Ctrl-C or SIGTERM.",
      "Prints one line with the endpoint when ready; functions and layers live in memory unless"
          + " --data-dir keeps them.",
      "Functions' log lines go to stderr as '[<function>] <line>' and, with --data-dir, to"
          + " logs/<function>/<log stream>.log in it."
    })
final class ServeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--host", description = "Address to listen on (default ${DEFAULT-VALUE}).")
  String host = "127.0.0.1";

  @Option(
      names = "--port",
      description = "TCP port, 0 for any free one (default ${DEFAULT-VALUE}).")
  int port = 9001;

  @Option(
      names = "--backend",
      description =
          "Backend to run on (local, docker, kubernetes, ...); chosen automatically when absent.")
  String backend;

  @Option(
      names = "--credentials",
      paramLabel = "ACCESS_KEY:SECRET",
      description =
          "Accept only requests SigV4-signed with this key (403 otherwise); without it every"
              + " request is accepted.")
  String credentials;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Keep functions and layers in this folder across restarts; in memory without it.")
  Path dataDir;

  @Option(
      names = "--functions",
      paramLabel = "FILE",
      description =
          "JSON, or YAML (.yaml, .yml), file of functions to create at start"
              + " ({\"Functions\": [CreateFunction requests with Code.Path]}).")
  Path functionsFile;

  @Override
  public Integer call() throws InterruptedException {
    ServerOptions options = ServerOptions.DEFAULT.withAddress(host, port);
    if (credentials != null) {
      options = options.withCredentials(ServerCredentials.parse(credentials));
    }
    if (dataDir != null) {
      options = options.withDataDir(dataDir);
    }
    if (functionsFile != null) {
      options = options.withFunctionsFile(functionsFile);
    }
    ServeLogSink logs = new ServeLogSink(spec.commandLine().getErr(), Optional.ofNullable(dataDir));
    LambdaRuntime.Builder builder = LambdaRuntime.builder().addLogSink(logs);
    if (backend != null) {
      builder.backend(backend);
    }
    LambdaRuntime runtime = builder.build();
    LambdaServer server;
    try {
      server = LambdaServer.start(runtime, options);
    } catch (RuntimeException e) {
      runtime.close();
      logs.close();
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> stop(server, runtime, logs, stopped), "lambdarun-serve-stop"));
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "lambdarun: serving the AWS Lambda API at "
            + server.endpoint()
            + " on backend '"
            + runtime.backendName()
            + "'; stop with Ctrl-C");
    out.flush();
    stopped.await();
    return ExitCodes.SUCCESS;
  }

  private static void stop(
      LambdaServer server, LambdaRuntime runtime, ServeLogSink logs, CountDownLatch stopped) {
    try {
      server.close();
    } finally {
      runtime.close();
      logs.close();
      stopped.countDown();
    }
  }
}
