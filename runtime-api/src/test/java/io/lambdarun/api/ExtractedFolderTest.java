package io.lambdarun.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExtractedFolderTest {

  @TempDir Path temp;

  @Test
  @DisplayName(
      "deletes read-only and closed folders and their files, and never what a link points at")
  void deletesReadOnlyTreesWithoutFollowingLinks() throws IOException {
    Path outside = Files.writeString(temp.resolve("outside.txt"), "keep");
    Path folder = Files.createDirectories(temp.resolve("task/lib"));
    Files.writeString(folder.resolve("code.py"), "x");
    Files.createSymbolicLink(folder.resolve("link"), outside);
    Files.createSymbolicLink(temp.resolve("task/dir-link"), temp);
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("r-xr-xr-x"));
    Path closed = Files.createDirectories(temp.resolve("task/closed"));
    Files.writeString(closed.resolve("secret.txt"), "x");
    Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("---------"));
    Files.setPosixFilePermissions(
        temp.resolve("task"), PosixFilePermissions.fromString("r-xr-xr-x"));

    assertThat(ExtractedFolder.delete(temp.resolve("task"))).isTrue();

    assertThat(temp.resolve("task")).doesNotExist();
    assertThat(outside).hasContent("keep");
  }

  @Test
  @DisplayName("a folder that does not exist is already gone")
  void aMissingFolderIsGone() {
    assertThat(ExtractedFolder.delete(temp.resolve("never-made"))).isTrue();
  }
}
