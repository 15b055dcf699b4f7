package io.lambdarun.docker;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.Ulimit;
import io.lambdarun.api.ConfigurationException;
import io.lambdarun.api.RuntimeConfig;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lambda's sandbox as container settings: a read-only root file system ({@code /tmp}, a tmpfs, the
 * only writable path), the code and layers mounted read-only, a non-root user, all capabilities
 * dropped, {@code no-new-privileges}, the engine's default seccomp profile (nothing overrides it)
 * and Lambda's limits of 1,024 open files and 1,024 processes.
 *
 * <p>The engine refuses to copy files into a container whose root file system is read-only, so the
 * code reaches a sandboxed container as read-only bind mounts of a folder staged on this machine
 * ({@link StagedCode}); that needs an engine that sees this machine's files ({@code mountsCode}).
 * With a remote engine the code is copied as without the sandbox and the root file system stays
 * writable (the code is owned by root, so the sandbox's user still cannot change it); everything
 * else applies.
 *
 * @param enabled whether instances run sandboxed ({@code lambdarun.docker.sandbox})
 * @param user the user the process runs as, {@code uid:gid} ({@code lambdarun.docker.sandbox-user})
 * @param mountsCode whether the engine sees this machine's files, so the code can be bind-mounted
 */
record SandboxSettings(boolean enabled, String user, boolean mountsCode) {

  /** Lambda's user and group ({@code sbx_user1051}). */
  static final String LAMBDA_USER = "993:990";

  /** Lambda's limit of open files and of processes (threads included). */
  static final long LAMBDA_LIMIT = 1024;

  private static final Pattern USER = Pattern.compile("(\\d+)(?::(\\d+))?");
  private static final Set<String> LOCAL_SCHEMES = Set.of("unix", "npipe");

  /**
   * Reads the settings.
   *
   * @param config the backend configuration
   * @param host the engine URI: a socket or named pipe is an engine on this machine
   * @param inContainer whether this process runs in a container, whose files the engine does not
   *     see
   * @return the settings
   * @throws ConfigurationException if the user is not a numeric non-root {@code uid[:gid]}
   */
  static SandboxSettings from(RuntimeConfig config, URI host, boolean inContainer) {
    boolean enabled = config.getBoolean(DockerConfigKeys.SANDBOX, true);
    String value = config.getString(DockerConfigKeys.SANDBOX_USER, LAMBDA_USER).trim();
    Matcher user = USER.matcher(value);
    if (!user.matches()) {
      throw new ConfigurationException(
          DockerConfigKeys.SANDBOX_USER,
          "configuration key '"
              + DockerConfigKeys.SANDBOX_USER
              + "' has value '"
              + value
              + "',"
              + " which is not a numeric 'uid' or 'uid:gid'; use for example '"
              + LAMBDA_USER
              + "' (Lambda's user, the default)");
    }
    if (user.group(1).chars().allMatch(c -> c == '0')) {
      throw new ConfigurationException(
          DockerConfigKeys.SANDBOX_USER,
          "configuration key '"
              + DockerConfigKeys.SANDBOX_USER
              + "' has value '"
              + value
              + "',"
              + " which is root; use a non-root 'uid:gid' such as '"
              + LAMBDA_USER
              + "', or set '"
              + DockerConfigKeys.SANDBOX
              + "' to 'false' for an image that needs root");
    }
    boolean local = LOCAL_SCHEMES.contains(host.getScheme()) && !inContainer;
    return new SandboxSettings(enabled, value, enabled && local);
  }

  /**
   * Applies the sandbox to a create command whose host configuration is already set; does nothing
   * when the sandbox is off.
   *
   * @param create the create command
   * @param code the read-only mounts of the code and layers, empty when there are none or they are
   *     copied
   * @param codeCopied whether the code is copied into the container before it starts, which a
   *     read-only root file system does not allow
   */
  void applyTo(CreateContainerCmd create, List<Mount> code, boolean codeCopied) {
    if (!enabled) {
      return;
    }
    HostConfig host = create.getHostConfig();
    host.withReadonlyRootfs(!codeCopied)
        .withCapDrop(Capability.ALL)
        .withSecurityOpts(List.of("no-new-privileges"))
        .withUlimits(
            List.of(
                new Ulimit("nofile", LAMBDA_LIMIT, LAMBDA_LIMIT),
                new Ulimit("nproc", LAMBDA_LIMIT, LAMBDA_LIMIT)));
    if (!code.isEmpty()) {
      host.withMounts(code);
    }
    create.withUser(user);
  }
}
