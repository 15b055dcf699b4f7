package io.lambdarun.local;

import io.lambdarun.api.Archive;
import io.lambdarun.api.ExtractedFolder;
import io.lambdarun.api.LaunchSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * The folders of one instance: the extracted code ({@code /var/task}), the extracted layers ({@code
 * /opt}), both without write permission as on Lambda, its private {@code /tmp}, and the file its
 * processes write their output to.
 *
 * @param root the instance's folder
 * @param task the code folder, the process's working directory
 * @param opt the layers folder
 * @param tmp the temporary folder, given as {@code TMPDIR}
 * @param output the output file
 */
record InstanceFiles(Path root, Path task, Path opt, Path tmp, Path output) {

  private static final Set<PosixFilePermission> WRITE =
      Set.of(
          PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.OTHERS_WRITE);

  /**
   * Creates the folders and extracts the code and the layers (in attach order, later layers
   * overwriting earlier files, checked together so a link of one layer carries no entry of a later
   * one anywhere) with the spec's archive limits.
   *
   * @param root the instance's folder, which must not exist yet
   * @param spec the launch spec
   * @return the folders
   * @throws io.lambdarun.api.InvalidArchiveException if an archive is unsafe or too large
   * @throws UncheckedIOException if writing fails
   */
  static InstanceFiles create(Path root, LaunchSpec spec) {
    InstanceFiles files =
        new InstanceFiles(
            root,
            root.resolve("task"),
            root.resolve("opt"),
            root.resolve("tmp"),
            root.resolve("output.log"));
    try {
      Files.createDirectories(files.task());
      Files.createDirectories(files.opt());
      Files.createDirectories(files.tmp());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create folder '" + root + "'", e);
    }
    spec.code().ifPresent(code -> code.extractTo(files.task(), spec.archiveLimits()));
    Archive.extractTo(spec.layers(), files.opt(), spec.archiveLimits());
    makeReadOnly(files.task());
    makeReadOnly(files.opt());
    return files;
  }

  /**
   * Takes every write permission from a folder tree, as Lambda's code and layers are read-only;
   * links are not followed.
   */
  private static void makeReadOnly(Path folder) {
    try {
      Files.walkFileTree(
          folder,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              if (!attrs.isSymbolicLink()) {
                withoutWrite(file);
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
              if (e != null) {
                throw e;
              }
              withoutWrite(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make folder '" + folder + "' read-only", e);
    }
  }

  private static void withoutWrite(Path path) throws IOException {
    Set<PosixFilePermission> permissions = permissions(path);
    permissions.removeAll(WRITE);
    Files.setPosixFilePermissions(path, permissions);
  }

  private static Set<PosixFilePermission> permissions(Path path) throws IOException {
    Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
    permissions.addAll(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    return permissions;
  }

  /** Deletes the instance's folder and everything in it, without following links; best effort. */
  void delete() {
    ExtractedFolder.delete(root);
  }
}
