package io.lambdarun.server;

import io.lambdarun.api.ConfigurationException;
import java.util.Objects;

/**
 * The one access key a {@link LambdaServer} accepts when it verifies SigV4 signatures.
 *
 * @param accessKeyId the access key id clients sign with
 * @param secretAccessKey its secret; never logged nor part of a message
 */
public record ServerCredentials(String accessKeyId, String secretAccessKey) {

  /** Checks that both parts are present. */
  public ServerCredentials {
    Objects.requireNonNull(accessKeyId, "accessKeyId");
    Objects.requireNonNull(secretAccessKey, "secretAccessKey");
    if (accessKeyId.isBlank() || secretAccessKey.isBlank()) {
      throw new ConfigurationException(
          "credentials",
          "server credentials need an access key id and a secret; pass them as ACCESS_KEY:SECRET");
    }
  }

  /**
   * Parses {@code ACCESS_KEY:SECRET}, split at the first colon.
   *
   * @param value the access key id, a colon and the secret
   * @return the credentials
   * @throws ConfigurationException if there is no colon or a part is empty; the value is not
   *     quoted, as it holds a secret
   */
  public static ServerCredentials parse(String value) {
    int colon = value.indexOf(':');
    if (colon < 0) {
      throw new ConfigurationException(
          "credentials",
          "server credentials have no ':' between access key id and secret; pass them as"
              + " ACCESS_KEY:SECRET");
    }
    return new ServerCredentials(value.substring(0, colon), value.substring(colon + 1));
  }

  /** Names the access key id only. */
  @Override
  public String toString() {
    return "ServerCredentials[accessKeyId=" + accessKeyId + ", secretAccessKey=<hidden>]";
  }
}
