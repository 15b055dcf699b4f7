package io.lambdarun.k8s;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.lambdarun.api.Archive;
import io.lambdarun.api.RuntimeUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves each launch's code zip and layer zips to its pod's init container.
 *
 * <p>Routes (GET): {@code /lambdarun/artifacts/<launch>/code.zip} and {@code
 * /lambdarun/artifacts/<launch>/layer-<i>.zip}, {@code i} counting from 0 in attach order. Every
 * request must carry {@code Authorization: Bearer <token>}; the token is compared in constant time
 * and a missing, malformed or wrong one (of any length) gets 401 before anything else is looked at.
 * A path segment outside {@code [A-Za-z0-9._-]}, or {@code .} / {@code ..}, gets 400; an unknown
 * launch or file 404. Launches are registered before their pod is created and forgotten when it is
 * gone. The token is never logged.
 */
public final class ArtifactServer implements AutoCloseable {

  /** The path prefix of every route. */
  public static final String PREFIX = "/lambdarun/artifacts/";

  private static final Logger LOG = LoggerFactory.getLogger(ArtifactServer.class);
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Pattern LAYER = Pattern.compile("layer-(0|[1-9][0-9]{0,4})\\.zip");
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final HttpServer server;
  private final ExecutorService executor;
  private final byte[] expectedAuthorization;
  private final Map<String, Artifacts> launches = new ConcurrentHashMap<>();

  private record Artifacts(Optional<Archive> code, List<Archive> layers) {}

  /**
   * Starts the server.
   *
   * @param bindAddress the address to bind, e.g. {@code 0.0.0.0} or {@code 127.0.0.1}
   * @param port the port, 0 for any free one
   * @param token the bearer token requests must present
   * @throws RuntimeUnavailableException if the address cannot be bound
   */
  public ArtifactServer(String bindAddress, int port, String token) {
    this.expectedAuthorization = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    try {
      server = HttpServer.create(new InetSocketAddress(bindAddress, port), 16);
    } catch (IOException | RuntimeException e) {
      throw new RuntimeUnavailableException(
          "the Kubernetes backend's artifact server cannot listen on '"
              + bindAddress
              + ":"
              + port
              + "' ("
              + e.getMessage()
              + "); set '"
              + KubernetesConfigKeys.ARTIFACT_BIND_ADDRESS
              + "' and '"
              + KubernetesConfigKeys.ARTIFACT_PORT
              + "' to a free local address",
          e);
    }
    executor =
        Executors.newFixedThreadPool(
            4,
            runnable -> {
              Thread thread =
                  new Thread(runnable, "lambdarun-k8s-artifacts-" + THREADS.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /**
   * Returns the bound port.
   *
   * @return the port the server listens on
   */
  public int port() {
    return server.getAddress().getPort();
  }

  /**
   * Makes a launch's archives available.
   *
   * @param launch the launch id (the pod name)
   * @param code the code archive, if any
   * @param layers the layer archives in attach order
   */
  public void register(String launch, Optional<Archive> code, List<Archive> layers) {
    launches.put(launch, new Artifacts(code, List.copyOf(layers)));
  }

  /**
   * Forgets a launch; later requests for it get 404.
   *
   * @param launch the launch id
   */
  public void forget(String launch) {
    launches.remove(launch);
  }

  /**
   * Tells whether a launch is registered.
   *
   * @param launch the launch id
   * @return whether its archives are served
   */
  public boolean serves(String launch) {
    return launches.containsKey(launch);
  }

  @Override
  public void close() {
    launches.clear();
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
      if (!authorized(exchange.getRequestHeaders().getFirst("Authorization"))) {
        exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer");
        send(exchange, 401, "unauthorized");
        return;
      }
      if (!exchange.getRequestMethod().equals("GET")) {
        send(exchange, 405, "only GET is supported");
        return;
      }
      String path = exchange.getRequestURI().getRawPath();
      if (!path.startsWith(PREFIX)) {
        send(exchange, 404, "not found");
        return;
      }
      String[] segments = path.substring(PREFIX.length()).split("/", -1);
      for (String segment : segments) {
        if (!SEGMENT.matcher(segment).matches() || segment.equals(".") || segment.equals("..")) {
          send(exchange, 400, "malformed path");
          return;
        }
      }
      Optional<Archive> archive =
          segments.length == 2 ? find(segments[0], segments[1]) : Optional.empty();
      if (archive.isEmpty()) {
        send(exchange, 404, "no such launch or artifact");
        return;
      }
      exchange.getResponseHeaders().add("Content-Type", "application/zip");
      exchange.sendResponseHeaders(200, archive.get().size());
      try (InputStream in = archive.get().open();
          OutputStream out = exchange.getResponseBody()) {
        in.transferTo(out);
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("artifact request failed: {}", e.toString());
    }
  }

  private Optional<Archive> find(String launch, String file) {
    Artifacts artifacts = launches.get(launch);
    if (artifacts == null) {
      return Optional.empty();
    }
    if (file.equals("code.zip")) {
      return artifacts.code();
    }
    var layer = LAYER.matcher(file);
    if (layer.matches()) {
      int index = Integer.parseInt(layer.group(1));
      return index < artifacts.layers().size()
          ? Optional.of(artifacts.layers().get(index))
          : Optional.empty();
    }
    return Optional.empty();
  }

  private boolean authorized(String header) {
    if (header == null) {
      return false;
    }
    // MessageDigest.isEqual runs in time independent of where the inputs differ
    return MessageDigest.isEqual(header.getBytes(StandardCharsets.UTF_8), expectedAuthorization);
  }

  private static void send(HttpExchange exchange, int status, String message) throws IOException {
    byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
