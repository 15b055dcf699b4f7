package io.lambdarun.cli;

import io.lambdarun.api.Archive;
import io.lambdarun.api.InvalidArchiveException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns a {@code --code} or {@code --layer} argument (a folder, or a zip or jar file, which Lambda
 * takes as a zip) into an archive.
 */
final class CodeArchives {

  private CodeArchives() {}

  static Archive fromPath(String option, Path path) {
    if (Files.isDirectory(path)) {
      return Archive.ofDirectory(path.toString(), path);
    }
    if (Files.isRegularFile(path)) {
      return Archive.ofFile(path);
    }
    throw new InvalidArchiveException(
        option
            + " '"
            + path
            + "' is neither a folder nor a zip or jar file; pass an existing folder, zip or jar");
  }
}
