package io.lambdarun.k8s;

/**
 * The configuration keys of the {@code kubernetes} backend.
 *
 * <p>Each key is read from {@link io.lambdarun.api.RuntimeConfig}; with {@code
 * RuntimeConfig.fromSystem()} a key may also be given as an environment variable, e.g. {@code
 * LAMBDARUN_KUBERNETES_ARTIFACT_URL}. Blank values count as unset.
 */
public final class KubernetesConfigKeys {

  /** Namespace pods and secrets are created in. Default {@code default}. */
  public static final String NAMESPACE = "lambdarun.kubernetes.namespace";

  /**
   * API server URL. Unset (the default): fabric8's ambient configuration (in-cluster service
   * account, then {@code KUBECONFIG} / {@code ~/.kube/config}). Set: that URL, with no kubeconfig
   * credentials; used for tests against a mock API server.
   */
  public static final String MASTER_URL = "lambdarun.kubernetes.master-url";

  /** Trust any API server certificate; only with {@link #MASTER_URL}. Default {@code false}. */
  public static final String TRUST_CERTIFICATES = "lambdarun.kubernetes.trust-certificates";

  /**
   * Required. The URL pods use to reach this process's artifact server, e.g. {@code
   * http://lambdarun.tools.svc.cluster.local:9000}. When it has no port, the artifact server's
   * bound port is used. Its host is the host alias core rewrites {@code localhost} URLs to.
   */
  public static final String ARTIFACT_URL = "lambdarun.kubernetes.artifact-url";

  /** Address the artifact server binds to. Default {@code 0.0.0.0}. */
  public static final String ARTIFACT_BIND_ADDRESS = "lambdarun.kubernetes.artifact-bind-address";

  /**
   * Address core binds each instance's Lambda Runtime API listener to, in Runtime API mode.
   * Default: the value of {@link #ARTIFACT_BIND_ADDRESS}, since pods reach both the same way.
   */
  public static final String RUNTIME_API_BIND_ADDRESS =
      "lambdarun.kubernetes.runtime-api-bind-address";

  /**
   * Host name or IP address, without a port, pods reach core's Runtime API at (the host of {@code
   * AWS_LAMBDA_RUNTIME_API}). Default: the host of {@link #ARTIFACT_URL}.
   */
  public static final String RUNTIME_API_HOST = "lambdarun.kubernetes.runtime-api-host";

  /**
   * How core talks to pods: {@code runtime-api} (the default), core hosts the Lambda Runtime API
   * and the image's entry point runs its bootstrap against it; or {@code rie}, core posts events to
   * the RIE endpoint on the pod's port 8080, for images whose entry point runs the RIE whatever
   * {@code AWS_LAMBDA_RUNTIME_API} says.
   */
  public static final String INSTANCE_PROTOCOL = "lambdarun.kubernetes.instance-protocol";

  /** Port the artifact server binds to; {@code 0} picks a free one. Default {@code 0}. */
  public static final String ARTIFACT_PORT = "lambdarun.kubernetes.artifact-port";

  /**
   * Registry host, without a port, core translates private ECR image URIs to; the port is core's
   * {@code lambdarun.ecr.registry-port}. Default: the host of {@link #ARTIFACT_URL}.
   */
  public static final String REGISTRY_HOST = "lambdarun.kubernetes.registry-host";

  /**
   * Name of an existing {@code kubernetes.io/dockerconfigjson} Secret added to imagePullSecrets.
   */
  public static final String PULL_SECRET = "lambdarun.kubernetes.pull-secret";

  /**
   * Name of the pod this process runs in, in {@link #NAMESPACE} (set it from the downward API's
   * {@code metadata.name}). When set, every launched pod names it as owner, so the cluster deletes
   * the function pods when this pod goes away, whichever node it ran on. Default: unset.
   */
  public static final String OWNER_POD = "lambdarun.kubernetes.owner-pod";

  /** Image of the init container that fetches code and layers. Default {@code busybox:1.36}. */
  public static final String INIT_IMAGE = "lambdarun.kubernetes.init-image";

  /** How long a pod may take to be Running and Ready with an IP. Default {@code 60s}. */
  public static final String POD_READY_TIMEOUT = "lambdarun.kubernetes.pod-ready-timeout";

  /**
   * How long the pod's port 8080 may take to accept connections afterwards. Default {@code 10s}.
   */
  public static final String ENDPOINT_READY_TIMEOUT = "lambdarun.kubernetes.endpoint-ready-timeout";

  /**
   * User id every container of a pod runs as; a positive number (the restricted Pod Security
   * Standard forbids root). Default {@code 993}, Lambda's {@code sbx_user1051}.
   */
  public static final String RUN_AS_USER = "lambdarun.kubernetes.run-as-user";

  /**
   * Group id every container of a pod runs as, also the pod's {@code fsGroup}; a positive number.
   * Default {@code 990}, Lambda's.
   */
  public static final String RUN_AS_GROUP = "lambdarun.kubernetes.run-as-group";

  /** Node selector for every pod, {@code k=v,k=v}. */
  public static final String NODE_SELECTOR = "lambdarun.kubernetes.node-selector";

  /** Tolerations for every pod, a JSON array of Kubernetes Toleration objects. */
  public static final String TOLERATIONS = "lambdarun.kubernetes.tolerations";

  /** Annotations for every pod, {@code k=v,k=v}. */
  public static final String ANNOTATIONS = "lambdarun.kubernetes.annotations";

  /** Function tag overriding {@link #NODE_SELECTOR} per key for one function. */
  public static final String TAG_NODE_SELECTOR = "lambdarun.io/k8s-node-selector";

  /** Function tag adding tolerations for one function. */
  public static final String TAG_TOLERATIONS = "lambdarun.io/k8s-tolerations";

  /** Function tag overriding {@link #ANNOTATIONS} per key for one function. */
  public static final String TAG_ANNOTATIONS = "lambdarun.io/k8s-annotations";

  /** Default of {@link #INIT_IMAGE}. */
  public static final String DEFAULT_INIT_IMAGE = "busybox:1.36";

  private KubernetesConfigKeys() {}
}
