package io.lambdarun.k8s.kubelet;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.lambdarun.k8s.KubernetesConfigKeys;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fabric8's mock API server in CRUD mode on plain HTTP on 127.0.0.1, with a {@link TestKubelet}
 * running its pods and answering the {@code pods/log} subresource (which the CRUD store lacks),
 * behind a {@link LogStreamingFront} that follows a log ({@code follow=true}) as the container
 * writes it, which the mock cannot: {@link #url()} is the front's.
 */
public final class KubeletApiServer implements AutoCloseable {

  private static final Pattern LOG_PATH =
      Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/]+)/log");

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final TestKubelet kubelet;
  private final LogStreamingFront front;

  /** The CRUD dispatcher plus the log subresource. */
  private static final class Dispatcher extends KubernetesCrudDispatcher {
    volatile TestKubelet kubelet;

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      URI uri = URI.create(request.getPath());
      Matcher log = LOG_PATH.matcher(uri.getRawPath());
      if (request.getMethod().equals("GET") && log.matches()) {
        Map<String, String> query = query(uri.getRawQuery());
        Optional<String> text =
            kubelet.logs(
                log.group(1),
                log.group(2),
                query.getOrDefault("container", "lambda"),
                Optional.ofNullable(query.get("sinceTime")).map(Instant::parse),
                query.containsKey("tailLines")
                    ? OptionalInt.of(Integer.parseInt(query.get("tailLines")))
                    : OptionalInt.empty());
        return text.map(t -> new MockResponse().setResponseCode(200).setBody(t))
            .orElseGet(
                () ->
                    new MockResponse()
                        .setResponseCode(404)
                        .setBody(
                            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                                + "\"reason\":\"NotFound\",\"code\":404,\"message\":\"no log\"}"));
      }
      return super.dispatch(request);
    }

    private static Map<String, String> query(String raw) {
      Map<String, String> out = new HashMap<>();
      if (raw != null) {
        for (String pair : raw.split("&")) {
          int eq = pair.indexOf('=');
          if (eq > 0) {
            out.put(
                pair.substring(0, eq),
                URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
          }
        }
      }
      return out;
    }
  }

  /**
   * Starts the API server and a kubelet for one namespace.
   *
   * @param namespace the namespace the kubelet serves
   */
  public KubeletApiServer(String namespace) {
    Dispatcher dispatcher = new Dispatcher();
    server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    try {
      server.init(InetAddress.getByName("127.0.0.1"), 0);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
    client = server.createClient();
    kubelet = new TestKubelet(client, namespace);
    dispatcher.kubelet = kubelet;
    kubelet.start();
    front = new LogStreamingFront(kubelet, server.getPort());
  }

  /**
   * Returns the API server's URL.
   *
   * @return e.g. {@code http://127.0.0.1:40123}
   */
  public String url() {
    return "http://127.0.0.1:" + front.port();
  }

  /**
   * Returns the configuration a {@code kubernetes} runtime needs to run on this API server and
   * kubelet: the API server's URL, the namespace, and an artifact server on 127.0.0.1, which the
   * kubelet's host-networked init containers reach.
   *
   * @param namespace the namespace to launch pods in; the kubelet runs the pods of its own
   * @return a modifiable, ordered map of {@code lambdarun.kubernetes.*} keys
   */
  public Map<String, String> runtimeConfig(String namespace) {
    Map<String, String> config = new LinkedHashMap<>();
    config.put(KubernetesConfigKeys.MASTER_URL, url());
    config.put(KubernetesConfigKeys.NAMESPACE, namespace);
    config.put(KubernetesConfigKeys.ARTIFACT_URL, "http://127.0.0.1");
    config.put(KubernetesConfigKeys.ARTIFACT_BIND_ADDRESS, "127.0.0.1");
    return config;
  }

  /**
   * Returns a client of the API server, owned by this object.
   *
   * @return the client
   */
  public KubernetesClient client() {
    return client;
  }

  /**
   * Returns the kubelet.
   *
   * @return the kubelet
   */
  public TestKubelet kubelet() {
    return kubelet;
  }

  @Override
  public void close() {
    try {
      kubelet.close();
    } finally {
      front.close();
      client.close();
      server.destroy();
    }
  }
}
