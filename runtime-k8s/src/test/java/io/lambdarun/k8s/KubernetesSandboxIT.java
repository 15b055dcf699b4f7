package io.lambdarun.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.api.ContainerRuntime;
import io.lambdarun.api.Instance;
import io.lambdarun.api.Labels;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.Owner;
import io.lambdarun.api.PackageType;
import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.k8s.kubelet.KubeletApiServer;
import io.lambdarun.tck.OneEventRuntimeApi;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Lambda's sandbox end to end on Kubernetes: the generated pod through the mock API server, run by
 * the test kubelet under the sandbox its security context describes (user and group, read-only
 * root, dropped capabilities, no-new-privileges) plus Lambda's ulimits, with a Python handler
 * probing it from inside. Each case fails on a pod without the sandbox: there the handler runs as
 * root and writes anywhere.
 */
class KubernetesSandboxIT {

  private static final String NAMESPACE = "lambdarun-sandbox-it";
  private static final String PROBE =
      "import os, resource, subprocess\n"
          + "def status(key):\n"
          + "    with open('/proc/self/status') as f:\n"
          + "        return next(l.split(':')[1].strip() for l in f if l.startswith(key + ':'))\n"
          + "def handler(event, context):\n"
          + "    action = event['action']\n"
          + "    if action == 'write':\n"
          + "        try:\n"
          + "            with open(event['path'], 'w') as f:\n"
          + "                f.write('sandbox')\n"
          + "            with open(event['path']) as f:\n"
          + "                return 'wrote ' + f.read()\n"
          + "        except OSError as e:\n"
          + "            return str(e)\n"
          + "    if action == 'identity':\n"
          + "        code = os.stat('/var/task/app.py')\n"
          + "        return {'id -u': subprocess.run(['id', '-u'], capture_output=True, text=True,\n"
          + "                                        check=True).stdout.strip(),\n"
          + "                'uid': os.getuid(), 'gid': os.getgid(),\n"
          + "                'code owner': [code.st_uid, code.st_gid]}\n"
          + "    if action == 'privileges':\n"
          + "        return {'CapEff': status('CapEff'), 'NoNewPrivs': status('NoNewPrivs'),\n"
          + "                'Seccomp': status('Seccomp'),\n"
          + "                'nofile': resource.getrlimit(resource.RLIMIT_NOFILE),\n"
          + "                'nproc': resource.getrlimit(resource.RLIMIT_NPROC)}\n"
          + "    if action == 'open':\n"
          + "        opened = []\n"
          + "        try:\n"
          + "            for _ in range(event['count']):\n"
          + "                opened.append(os.open('/dev/null', os.O_RDONLY))\n"
          + "            return {'opened': len(opened)}\n"
          + "        except OSError as e:\n"
          + "            return {'opened': len(opened), 'highest': max(opened), 'error': str(e)}\n"
          + "        finally:\n"
          + "            for fd in opened:\n"
          + "                os.close(fd)\n"
          + "    raise ValueError(action)\n";

  private static KubeletApiServer cluster;
  private final HttpClient http = HttpClient.newHttpClient();
  private Owner owner;
  private ContainerRuntime runtime;

  @BeforeAll
  static void startCluster() {
    cluster = new KubeletApiServer(NAMESPACE);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void createRuntime() {
    owner = Owner.forCurrentProcess();
    runtime =
        new KubernetesRuntimeProvider()
            .create(RuntimeConfig.of(cluster.runtimeConfig(NAMESPACE)), owner);
  }

  @AfterEach
  void closeRuntime() {
    runtime.close();
  }

  private LaunchSpec.Builder spec() {
    Map<String, String> labels = owner.labels();
    labels.put(Labels.FUNCTION, "sandbox-fn");
    return LaunchSpec.builder()
        .functionName("sandbox-fn")
        .functionArn("arn:aws:lambda:us-east-1:000000000000:function:sandbox-fn")
        .deployId("sandbox-" + UUID.randomUUID())
        .packageType(PackageType.ZIP)
        .runtime("python3.12")
        .handler("app.handler")
        .image(KubernetesRuntimeContractIT.PYTHON_IMAGE)
        .code(Fixtures.zip("code", Map.of("app.py", PROBE)))
        .layers(List.of(Fixtures.zip("layer", Map.of("python/shared.py", "VALUE = 1\n"))))
        .memoryMib(256)
        .timeout(Duration.ofSeconds(30))
        .labels(labels);
  }

  /** Invokes an RIE-mode instance (its main container published on 127.0.77.x). */
  private String invoke(Instance instance, String event) throws IOException, InterruptedException {
    URI endpoint = instance.endpoint().orElseThrow();
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(endpoint.resolve(Instance.INVOCATION_PATH))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(event))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("status of %s", event).isEqualTo(200);
    return response.body();
  }

  @Test
  void writingNextToTheCodeOrTheLayersOrOnTheRootGetsLambdasReadOnlyError() throws Exception {
    Instance instance = runtime.launch(spec().build());

    assertThat(invoke(instance, "{\"action\":\"write\",\"path\":\"/var/task/new.txt\"}"))
        .isEqualTo("\"[Errno 30] Read-only file system: '/var/task/new.txt'\"");
    assertThat(invoke(instance, "{\"action\":\"write\",\"path\":\"/opt/new.txt\"}"))
        .isEqualTo("\"[Errno 30] Read-only file system: '/opt/new.txt'\"");
    assertThat(invoke(instance, "{\"action\":\"write\",\"path\":\"/var/new.txt\"}"))
        .isEqualTo("\"[Errno 30] Read-only file system: '/var/new.txt'\"");
  }

  @Test
  void writingToTmpSucceeds() throws Exception {
    Instance instance = runtime.launch(spec().build());

    assertThat(invoke(instance, "{\"action\":\"write\",\"path\":\"/tmp/new.txt\"}"))
        .isEqualTo("\"wrote sandbox\"");
  }

  /** The init container ran as the same user too: the code it staged is 993:990's. */
  @Test
  void theFunctionAndTheInitContainerRunAsLambdasUserNotRoot() throws Exception {
    Instance instance = runtime.launch(spec().build());

    assertThat(invoke(instance, "{\"action\":\"identity\"}"))
        .isEqualTo("{\"id -u\": \"993\", \"uid\": 993, \"gid\": 990, \"code owner\": [993, 990]}");
  }

  @Test
  void theFunctionHasNoCapabilityNoWayToGainOneTheDefaultSeccompFilterAndLambdasLimits()
      throws Exception {
    Instance instance = runtime.launch(spec().build());

    assertThat(invoke(instance, "{\"action\":\"privileges\"}"))
        .isEqualTo(
            "{\"CapEff\": \"0000000000000000\", \"NoNewPrivs\": \"1\", \"Seccomp\": \"2\","
                + " \"nofile\": [1024, 1024], \"nproc\": [1024, 1024]}");
  }

  /** Python, the runtime client and the handler hold a few descriptors already. */
  @Test
  void openingTwoThousandFilesFailsAtTheLimitOf1024() throws Exception {
    Instance instance = runtime.launch(spec().build());

    String answer = invoke(instance, "{\"action\":\"open\",\"count\":2000}");

    assertThat(answer)
        .startsWith("{\"opened\": 10")
        .endsWith(
            ", \"highest\": 1023, \"error\": \"[Errno 24] Too many open files: '/dev/null'\"}");
    int opened = Integer.parseInt(answer.replaceAll("^\\{\"opened\": (\\d+),.*$", "$1"));
    assertThat(opened)
        .as("descriptors opened beside stdin, stdout and stderr")
        .isBetween(1000, 1021);
  }

  /**
   * Runtime API mode runs the main container in host network mode, by the test kubelet's choice.
   */
  @Test
  void inRuntimeApiModeTheSameSandboxHolds() throws Exception {
    try (OneEventRuntimeApi api =
        new OneEventRuntimeApi("sandbox-1", "{\"action\":\"write\",\"path\":\"/var/task/x\"}")) {
      Instance instance =
          runtime.launch(
              spec()
                  .putEnvironment("AWS_LAMBDA_RUNTIME_API", api.address())
                  .runtimeApi(api.address())
                  .build());
      OneEventRuntimeApi.Answer answer;
      try {
        answer = api.answer().get(60, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        throw new AssertionError(
            "no answer within 60 s; the pod's log:\n" + runtime.logs(instance, Instant.EPOCH), e);
      }
      assertThat(
              cluster
                  .client()
                  .pods()
                  .inNamespace(NAMESPACE)
                  .withName(instance.id())
                  .get()
                  .getSpec()
                  .getHostNetwork())
          .as("the pod spec asks for no host network")
          .isNull();
      assertThat(answer.body()).isEqualTo("\"[Errno 30] Read-only file system: '/var/task/x'\"");
    }
  }
}
