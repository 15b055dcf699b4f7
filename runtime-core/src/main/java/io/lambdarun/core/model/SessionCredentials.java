package io.lambdarun.core.model;

import java.time.Instant;
import java.util.Objects;

/**
 * Temporary credentials of a function's execution role, handed to one instance.
 *
 * <p>The values reach the workload's environment only; {@link #toString()} masks them, and
 * lambdarun never writes them to a log line or an exception message.
 *
 * @param accessKeyId the access key id
 * @param secretAccessKey the secret access key
 * @param sessionToken the session token
 * @param expiration when the credentials stop working
 */
public record SessionCredentials(
    String accessKeyId, String secretAccessKey, String sessionToken, Instant expiration) {

  /**
   * Validates the components.
   *
   * @param accessKeyId the access key id
   * @param secretAccessKey the secret access key
   * @param sessionToken the session token
   * @param expiration when the credentials stop working
   */
  public SessionCredentials {
    Objects.requireNonNull(accessKeyId, "accessKeyId");
    Objects.requireNonNull(secretAccessKey, "secretAccessKey");
    Objects.requireNonNull(sessionToken, "sessionToken");
    Objects.requireNonNull(expiration, "expiration");
  }

  @Override
  public String toString() {
    return "SessionCredentials[accessKeyId=***, secretAccessKey=***, sessionToken=***, expiration="
        + expiration
        + "]";
  }
}
