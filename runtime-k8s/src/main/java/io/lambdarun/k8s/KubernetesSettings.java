package io.lambdarun.k8s;

import io.fabric8.kubernetes.api.model.Toleration;
import io.lambdarun.api.ConfigurationException;
import io.lambdarun.api.HostAccess;
import io.lambdarun.api.RuntimeApiAccess;
import io.lambdarun.api.RuntimeConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The parsed configuration of the {@code kubernetes} backend; see {@link KubernetesConfigKeys}.
 *
 * @param namespace the namespace pods live in
 * @param masterUrl an explicit API server URL, or empty for fabric8's ambient configuration
 * @param trustCertificates whether to trust any API server certificate
 * @param artifactUrl the URL pods reach the artifact server at, without a trailing slash; its port
 *     may be missing (then the bound port applies)
 * @param artifactBindAddress the address the artifact server binds to
 * @param artifactPort the port the artifact server binds to, 0 for any
 * @param registryHost the registry host (no port) for ECR translation, or empty for the artifact
 *     URL's host
 * @param pullSecret the image pull secret, if any
 * @param initImage the init container's image
 * @param podReadyTimeout the deadline for Running + Ready + podIP
 * @param endpointReadyTimeout the deadline for port 8080 to accept connections
 * @param podConfig the global node selector, tolerations and annotations
 * @param ownerPod the pod this process runs in, owner of every launched pod, if set
 * @param runtimeApiBindAddress the address core binds instances' Runtime API listeners to
 * @param runtimeApiHost the host (no port) pods reach core's Runtime API at
 * @param rieOnly whether every pod runs in RIE-endpoint mode, never in Runtime API mode
 * @param podUser the user and group every container runs as
 */
public record KubernetesSettings(
    String namespace,
    Optional<String> masterUrl,
    boolean trustCertificates,
    URI artifactUrl,
    String artifactBindAddress,
    int artifactPort,
    Optional<String> registryHost,
    Optional<String> pullSecret,
    String initImage,
    Duration podReadyTimeout,
    Duration endpointReadyTimeout,
    PodConfig podConfig,
    Optional<String> ownerPod,
    String runtimeApiBindAddress,
    String runtimeApiHost,
    boolean rieOnly,
    PodUser podUser) {

  /** Core's key for the registry port (backends cannot depend on core). */
  private static final String ECR_REGISTRY_PORT = "lambdarun.ecr.registry-port";

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  /**
   * Reads and validates the configuration.
   *
   * @param config the raw configuration
   * @return the settings
   * @throws ConfigurationException naming the first invalid or missing key
   */
  public static KubernetesSettings from(RuntimeConfig config) {
    String namespace = config.getString(KubernetesConfigKeys.NAMESPACE, "default").trim();
    if (!DNS_LABEL.matcher(namespace).matches()) {
      throw new ConfigurationException(
          KubernetesConfigKeys.NAMESPACE,
          "configuration key '"
              + KubernetesConfigKeys.NAMESPACE
              + "' has value '"
              + namespace
              + "', which is not a Kubernetes namespace name; use lower-case letters, digits and"
              + " '-'");
    }
    int port = config.getInt(KubernetesConfigKeys.ARTIFACT_PORT, 0);
    if (port < 0 || port > 65_535) {
      throw new ConfigurationException(
          KubernetesConfigKeys.ARTIFACT_PORT,
          "configuration key '"
              + KubernetesConfigKeys.ARTIFACT_PORT
              + "' has value '"
              + port
              + "', which is not a port; use 0 to 65535");
    }
    URI artifactUrl = artifactUrl(config);
    String artifactBindAddress =
        config.getString(KubernetesConfigKeys.ARTIFACT_BIND_ADDRESS, "0.0.0.0").trim();
    return new KubernetesSettings(
        namespace,
        config.get(KubernetesConfigKeys.MASTER_URL).map(String::trim),
        config.getBoolean(KubernetesConfigKeys.TRUST_CERTIFICATES, false),
        artifactUrl,
        artifactBindAddress,
        port,
        registryHost(config),
        config.get(KubernetesConfigKeys.PULL_SECRET).map(String::trim),
        config
            .getString(KubernetesConfigKeys.INIT_IMAGE, KubernetesConfigKeys.DEFAULT_INIT_IMAGE)
            .trim(),
        config.getDuration(KubernetesConfigKeys.POD_READY_TIMEOUT, Duration.ofSeconds(60)),
        config.getDuration(KubernetesConfigKeys.ENDPOINT_READY_TIMEOUT, Duration.ofSeconds(10)),
        new PodConfig(
            PodConfig.parseMap(config.getString(KubernetesConfigKeys.NODE_SELECTOR, "")),
            tolerations(config),
            PodConfig.parseMap(config.getString(KubernetesConfigKeys.ANNOTATIONS, ""))),
        config.get(KubernetesConfigKeys.OWNER_POD).map(String::trim),
        config.getString(KubernetesConfigKeys.RUNTIME_API_BIND_ADDRESS, artifactBindAddress).trim(),
        runtimeApiHost(config, artifactUrl),
        rieOnly(config),
        new PodUser(
            positiveId(config, KubernetesConfigKeys.RUN_AS_USER, PodUser.LAMBDA.uid()),
            positiveId(config, KubernetesConfigKeys.RUN_AS_GROUP, PodUser.LAMBDA.gid())));
  }

  /**
   * Returns how pods reach core's Runtime API, which makes Runtime API mode the default.
   *
   * @return the bind address and host, or empty with the {@code rie} protocol
   */
  public Optional<RuntimeApiAccess> runtimeApiAccess() {
    return rieOnly
        ? Optional.empty()
        : Optional.of(new RuntimeApiAccess(runtimeApiBindAddress, runtimeApiHost));
  }

  /**
   * Returns the artifact URL with the bound port filled in when the configured one has none.
   *
   * @param boundPort the artifact server's actual port
   * @return the base URL pods fetch from, without a trailing slash
   */
  public String artifactBaseUrl(int boundPort) {
    int port = artifactUrl.getPort() >= 0 ? artifactUrl.getPort() : boundPort;
    return artifactUrl.getScheme()
        + "://"
        + hostForUrl(artifactUrl.getHost())
        + ":"
        + port
        + artifactUrl.getRawPath();
  }

  /**
   * Returns the host pods reach this process at, the target of core's localhost rewriting.
   *
   * @return the artifact URL's host
   */
  public String hostAlias() {
    return artifactUrl.getHost().replace("[", "").replace("]", "");
  }

  /**
   * Returns the registry host for ECR translation, a host without a port as {@link
   * HostAccess#registryHost()} requires: the artifact server is no registry, so its port is never
   * the registry's.
   *
   * @return the configured registry host, else the artifact URL's host
   */
  public String registryHostOrDefault() {
    return registryHost.orElseGet(() -> hostForUrl(artifactUrl.getHost()));
  }

  private static String hostForUrl(String host) {
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  private static URI artifactUrl(RuntimeConfig config) {
    String key = KubernetesConfigKeys.ARTIFACT_URL;
    String raw =
        config
            .get(key)
            .map(String::trim)
            .orElseThrow(
                () ->
                    new ConfigurationException(
                        key,
                        "configuration key '"
                            + key
                            + "' is not set; set it to the URL pods use"
                            + " to reach this process, e.g."
                            + " 'http://lambdarun.tools.svc.cluster.local:9000'"));
    URI uri;
    try {
      uri = new URI(raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw);
    } catch (URISyntaxException e) {
      uri = null;
    }
    if (uri == null
        || uri.getHost() == null
        || uri.getScheme() == null
        || !List.of("http", "https").contains(uri.getScheme().toLowerCase(Locale.ROOT))
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw new ConfigurationException(
          key,
          "configuration key '"
              + key
              + "' has value '"
              + raw
              + "', which is not an http(s) URL"
              + " with a host; use a value such as 'http://lambdarun.tools.svc.cluster.local:9000'");
    }
    return uri;
  }

  private static String runtimeApiHost(RuntimeConfig config, URI artifactUrl) {
    String key = KubernetesConfigKeys.RUNTIME_API_HOST;
    String host =
        config.get(key).map(String::trim).orElseGet(() -> hostForUrl(artifactUrl.getHost()));
    if (!HostAccess.isRegistryHost(host)) {
      throw new ConfigurationException(
          key,
          "configuration key '"
              + key
              + "' has value '"
              + host
              + "', which is not a host name or"
              + " IP address without a port; set the host alone (an IPv6 address in brackets),"
              + " core appends each instance's port");
    }
    return host;
  }

  private static boolean rieOnly(RuntimeConfig config) {
    String key = KubernetesConfigKeys.INSTANCE_PROTOCOL;
    String raw = config.getString(key, "runtime-api");
    String protocol = raw.trim().toLowerCase(Locale.ROOT);
    if (!List.of("runtime-api", "rie").contains(protocol)) {
      throw new ConfigurationException(
          key,
          "configuration key '"
              + key
              + "' has value '"
              + raw
              + "', which is not 'runtime-api' or"
              + " 'rie'; use one of these (default 'runtime-api')");
    }
    return protocol.equals("rie");
  }

  private static long positiveId(RuntimeConfig config, String key, long defaultId) {
    Optional<String> raw = config.get(key).map(String::trim);
    if (raw.isEmpty()) {
      return defaultId;
    }
    long id;
    try {
      id = Long.parseLong(raw.get());
    } catch (NumberFormatException e) {
      id = -1;
    }
    if (id <= 0 || id > 2_147_483_647L) {
      throw new ConfigurationException(
          key,
          "configuration key '"
              + key
              + "' has value '"
              + raw.get()
              + "', which is not a non-root"
              + " id; use a number from 1 to 2147483647 (default "
              + defaultId
              + ", Lambda's)");
    }
    return id;
  }

  private static Optional<String> registryHost(RuntimeConfig config) {
    String key = KubernetesConfigKeys.REGISTRY_HOST;
    Optional<String> host = config.get(key).map(String::trim);
    if (host.isPresent() && !HostAccess.isRegistryHost(host.get())) {
      throw new ConfigurationException(
          key,
          "configuration key '"
              + key
              + "' has value '"
              + host.get()
              + "', which is not a host"
              + " name or IP address without a port; set the host alone (an IPv6 address in"
              + " brackets) and the port with '"
              + ECR_REGISTRY_PORT
              + "'");
    }
    return host;
  }

  private static List<Toleration> tolerations(RuntimeConfig config) {
    String key = KubernetesConfigKeys.TOLERATIONS;
    Optional<String> raw = config.get(key);
    if (raw.isEmpty()) {
      return List.of();
    }
    try {
      return PodConfig.parseTolerations(raw.get());
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(
          key,
          "configuration key '"
              + key
              + "' has value '"
              + raw.get()
              + "', which is "
              + e.getMessage()
              + "; write a JSON array such as"
              + " '[{\"key\":\"lambda\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]'");
    }
  }
}
