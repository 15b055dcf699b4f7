package io.lambdarun.it.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdarun.api.Archive;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.core.LambdaRuntime;
import io.lambdarun.core.model.FunctionError;
import io.lambdarun.core.model.InvocationResult;
import io.lambdarun.core.model.InvokeOptions;
import io.lambdarun.core.model.LambdaFunction;
import io.lambdarun.docker.DockerConfigKeys;
import java.io.IOException;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Lambda's sandbox as a function sees it (issue 15): on Docker (Runtime API mode in host network
 * mode, and RIE-endpoint mode on the default bridge with the port published on 127.0.0.1) the code,
 * the layers and the root file system are read-only with Lambda's error, {@code /tmp} is writable,
 * the process runs as uid 993 and gid 990, and it gets 1,024 open files and 1,024 processes; on the
 * local backend the code carries no write permission, {@code TMPDIR} is writable, and the open file
 * and process limits are the same. A fork bomb is bounded by a hard cap of 1,500 children, each a
 * {@code sleep 30}, so that a broken limit cannot take the machine down. The fork bomb also runs on
 * Kubernetes (the test kubelet's pod, Runtime API mode, under the kubelet's {@code nproc} ulimit);
 * the other Kubernetes cases are {@code KubernetesSandboxIT}'s in runtime-k8s.
 */
class SandboxIT {

  private static Cluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = new Cluster();
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The suite's sandbox probe; every answer is JSON, the fork bomb ends the process. */
  private static final String HANDLER_SOURCE =
      String.join(
          "\n",
          "import os",
          "import resource",
          "import stat",
          "import tempfile",
          "",
          "def handler(event, context):",
          "    action = event.get('action', 'echo')",
          "    if action == 'write':",
          "        path = event['path'].replace('$TASK', os.environ['LAMBDA_TASK_ROOT'])",
          "        path = path.replace('$TMP', tempfile.gettempdir())",
          "        try:",
          "            with open(path, 'w') as out:",
          "                out.write('x')",
          "            return {'wrote': path}",
          "        except OSError as e:",
          "            return {'errno': e.errno, 'error': str(e)}",
          "    if action == 'whoami':",
          "        task = os.environ['LAMBDA_TASK_ROOT']",
          "        return {'uid': os.getuid(), 'gid': os.getgid(),",
          "                'task_mode': oct(stat.S_IMODE(os.stat(task).st_mode)),",
          "                'code_mode': oct(stat.S_IMODE(os.stat(os.path.join(task, 'app.py')).st_mode)),",
          "                'nofile': list(resource.getrlimit(resource.RLIMIT_NOFILE))}",
          "    if action == 'files':",
          "        opened = []",
          "        try:",
          "            while len(opened) < 2000:",
          "                opened.append(open('/dev/null'))",
          "            return {'opened': len(opened)}",
          "        except OSError as e:",
          "            return {'opened': len(opened), 'errno': e.errno, 'error': str(e)}",
          "        finally:",
          "            for f in opened:",
          "                f.close()",
          "    if action == 'fork':",
          "        children, error = 0, None",
          "        while children < 1500:",
          "            try:",
          "                pid = os.fork()",
          "            except OSError as e:",
          "                error = e",
          "                break",
          "            if pid == 0:",
          "                try:",
          "                    os.execv('/bin/sleep', ['sleep', '30'])",
          "                finally:",
          "                    os._exit(127)",
          "            children += 1",
          "        print('forked %d processes, then: %s' % (children, error), flush=True)",
          "        os._exit(75)",
          "    return {'n': event.get('n')}",
          "");

  private static final Pattern FORKED = Pattern.compile("forked (\\d+) processes, then: (.*)");

  private LambdaRuntime runtime;

  @AfterEach
  void closeAndCheckNothingLeft() {
    if (runtime != null) {
      runtime.close();
    }
    assertThat(Fixtures.containersOfThisJvm()).isEmpty();
    assertThat(cluster.podsOfThisJvm()).isEmpty();
    assertThat(
            Fixtures.eventually(
                Duration.ofSeconds(10), () -> Fixtures.localProcessesOfThisJvm().isEmpty()))
        .as("local processes of this JVM gone after close: %s", Fixtures.localProcessesOfThisJvm())
        .isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"docker", "docker-rie"})
  void writingOutsideTmpGetsLambdasReadOnlyError(String backend) throws IOException {
    runtime = runtime(backend);
    LambdaFunction function = function("read-only-" + backend);

    for (String path :
        new String[] {
          "/var/task/new.txt",
          "/var/task/app.py",
          "/opt/new.txt",
          "/new.txt",
          "/var/runtime/new.txt"
        }) {
      JsonNode answer = invoke(function, "{\"action\":\"write\",\"path\":\"" + path + "\"}");

      assertThat(answer.get("errno").asInt()).as(answer.toString()).isEqualTo(30);
      assertThat(answer.get("error").asText())
          .isEqualTo("[Errno 30] Read-only file system: '" + path + "'");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"local", "docker", "docker-rie"})
  void writingToTmpSucceeds(String backend) throws IOException {
    runtime = runtime(backend);

    JsonNode answer =
        invoke(function("tmp-" + backend), "{\"action\":\"write\",\"path\":\"$TMP/probe.txt\"}");

    assertThat(answer.has("wrote")).as(answer.toString()).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"docker", "docker-rie"})
  void theFunctionRunsAsLambdasUserWithLambdasFileLimit(String backend) throws IOException {
    runtime = runtime(backend);

    JsonNode answer = invoke(function("whoami-" + backend), "{\"action\":\"whoami\"}");

    assertThat(answer.get("uid").asInt()).isEqualTo(993);
    assertThat(answer.get("gid").asInt()).isEqualTo(990);
    assertThat(answer.get("nofile").toString()).isEqualTo("[1024,1024]");
  }

  @Test
  void locallyTheCodeHasNoWritePermission() throws IOException {
    runtime = runtime("local");

    JsonNode answer = invoke(function("modes-local"), "{\"action\":\"whoami\"}");

    assertThat(answer.get("task_mode").asText()).isEqualTo("0o555");
    assertThat(answer.get("code_mode").asText()).isEqualTo("0o444");
    assertThat(answer.get("nofile").toString()).isEqualTo("[1024,1024]");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"local", "docker"})
  void openingTwoThousandFilesFailsAtAbout1024(String backend) throws IOException {
    runtime = runtime(backend);

    JsonNode answer = invoke(function("files-" + backend), "{\"action\":\"files\"}");

    assertThat(answer.get("opened").asInt()).as(answer.toString()).isBetween(1000, 1023);
    assertThat(answer.get("error").asText()).startsWith("[Errno 24] Too many open files");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"local", "docker", "kubernetes"})
  void aForkBombIsStoppedByTheProcessLimitAndTheInstanceReplaced(String backend)
      throws IOException {
    runtime = runtime(backend);
    LambdaFunction function = function("fork-bomb-" + backend);

    InvocationResult bomb =
        runtime.invoke(
            function,
            "{\"action\":\"fork\"}".getBytes(UTF_8),
            InvokeOptions.builder().logTail(true).build());
    InvocationResult next = runtime.invoke(function, "{\"n\":2}".getBytes(UTF_8));

    assertThat(bomb.functionError()).contains(FunctionError.UNHANDLED);
    assertThat(bomb.payloadUtf8()).contains("Runtime.ExitError");
    String log = new String(Base64.getDecoder().decode(bomb.logResult().orElseThrow()), UTF_8);
    Matcher forked = FORKED.matcher(log);
    assertThat(forked.find()).as(log).isTrue();
    assertThat(Integer.parseInt(forked.group(1))).isBetween(900, 1023);
    assertThat(forked.group(2)).isEqualTo("[Errno 11] Resource temporarily unavailable");
    assertThat(next.functionError()).as(next.payloadUtf8()).isEmpty();
    assertThat(next.coldStart()).isTrue();
    assertThat(JSON.readTree(next.payload()).get("n").asInt()).isEqualTo(2);
  }

  @Test
  void withTheSandboxOffTheFunctionRunsAsRootOnAWritableRoot() throws IOException {
    runtime =
        Fixtures.runtime("docker")
            .config(
                RuntimeConfig.of(
                    Map.of(DockerConfigKeys.NETWORK, "host", DockerConfigKeys.SANDBOX, "false")))
            .build();
    LambdaFunction function = function("sandbox-off");

    JsonNode user = invoke(function, "{\"action\":\"whoami\"}");
    JsonNode write = invoke(function, "{\"action\":\"write\",\"path\":\"/var/task/new.txt\"}");

    assertThat(user.get("uid").asInt()).isZero();
    assertThat(write.get("wrote").asText()).isEqualTo("/var/task/new.txt");
  }

  private static LambdaRuntime runtime(String backend) {
    return switch (backend) {
      case "kubernetes" -> cluster.runtime().build();
      case "docker-rie" ->
          Fixtures.runtime("docker")
              .config(
                  RuntimeConfig.of(
                      Map.of(
                          DockerConfigKeys.NETWORK, "bridge",
                          DockerConfigKeys.INSTANCE_PROTOCOL, "rie")))
              .build();
      case "docker" ->
          Fixtures.runtime("docker")
              .config(RuntimeConfig.of(Map.of(DockerConfigKeys.NETWORK, "host")))
              .build();
      default -> Fixtures.runtime(backend).build();
    };
  }

  private static LambdaFunction function(String name) {
    return LambdaFunction.builder()
        .functionName(name)
        .runtime("python3.12")
        .handler("app.handler")
        .memoryMib(512)
        .timeoutSeconds(60)
        .code(
            Archive.ofBytes(
                "sandbox-probe", Fixtures.zip(Map.of("app.py", HANDLER_SOURCE.getBytes(UTF_8)))))
        .build();
  }

  private JsonNode invoke(LambdaFunction function, String event) throws IOException {
    InvocationResult result = runtime.invoke(function, event.getBytes(UTF_8));
    assertThat(result.functionError()).as(result.payloadUtf8()).isEmpty();
    return JSON.readTree(result.payload());
  }
}
