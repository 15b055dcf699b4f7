package io.lambdarun.docker;

import com.github.dockerjava.api.DockerClient;
import io.lambdarun.api.LaunchFailedException;
import io.lambdarun.api.LaunchSpec;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A function's code and layers as a temporary tar file (see {@link TarStreams}) to copy into a
 * container.
 */
final class CopiedCode {

  private static final Logger LOG = LoggerFactory.getLogger(CopiedCode.class);

  private final Path tar;

  private CopiedCode(Path tar) {
    this.tar = tar;
  }

  /**
   * Writes the spec's code and layers to a temporary tar file.
   *
   * @param spec the launch spec, with code or layers
   * @return the written file
   * @throws LaunchFailedException if the file cannot be written
   * @throws io.lambdarun.api.InvalidArchiveException if an archive is corrupt, unsafe or too large
   */
  static CopiedCode write(LaunchSpec spec) {
    Path tar = null;
    try {
      tar = Files.createTempFile("lambdarun-" + spec.functionName() + "-", ".tar");
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tar))) {
        TarStreams.write(spec, out);
      }
      return new CopiedCode(tar);
    } catch (IOException e) {
      if (tar != null) {
        deleteQuietly(tar);
      }
      throw new LaunchFailedException(
          spec.functionName(),
          "the code of function '"
              + spec.functionName()
              + "' could not be staged in '"
              + (tar == null ? System.getProperty("java.io.tmpdir") : tar)
              + "' ("
              + Messages.of(e)
              + "); check the space and permissions of the temporary folder",
          e);
    } catch (RuntimeException e) {
      if (tar != null) {
        deleteQuietly(tar);
      }
      throw e;
    }
  }

  /**
   * Extracts the file at the root of a created container.
   *
   * @param docker the engine
   * @param id the container
   * @throws UncheckedIOException if the file cannot be read
   */
  void copyInto(DockerClient docker, String id) {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(tar))) {
      docker.copyArchiveToContainerCmd(id).withRemotePath("/").withTarInputStream(in).exec();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the staged code '" + tar + "'", e);
    }
  }

  /** Deletes the file; best effort. */
  void delete() {
    deleteQuietly(tar);
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.debug("could not delete {}: {}", file, e.getMessage());
    }
  }
}
