package io.lambdarun.k8s;

/**
 * The user and group every container of a pod runs as; the group is also the pod's {@code fsGroup},
 * so the code and layers the init container stages are readable by the function.
 *
 * @param uid the user id, never 0
 * @param gid the primary group id and {@code fsGroup}, never 0
 */
public record PodUser(long uid, long gid) {

  /** Lambda's own: {@code sbx_user1051}, uid 993, gid 990. */
  public static final PodUser LAMBDA = new PodUser(993, 990);

  /** Refuses root, which the restricted Pod Security Standard forbids. */
  public PodUser {
    if (uid <= 0 || gid <= 0) {
      throw new IllegalArgumentException(
          "pod user '" + uid + ":" + gid + "' is root or negative; use ids above 0");
    }
  }
}
