package io.lambdarun.docker;

import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import io.lambdarun.api.Archive;
import io.lambdarun.api.ExtractedFolder;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.Owner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A function's code and layers extracted into a folder on this machine, for a sandboxed container
 * to mount read-only: {@code task} at {@code /var/task} (and {@code /var/runtime} for a custom
 * runtime, replacing the image's, as on Kubernetes) and {@code opt} at {@code /opt} when there are
 * layers. Every folder is made readable by every user, since the sandbox's user owns none of it;
 * files keep their modes. The folder holds an {@code owner} file (the owner's process id and host),
 * so that a sweep finds those a dead owner left.
 */
final class StagedCode {

  private static final String PREFIX = "lambdarun-docker-";
  private static final String OWNER_FILE = "owner";
  private static final Set<PosixFilePermission> FOLDER =
      PosixFilePermissions.fromString("rwxr-xr-x");
  private static final Set<PosixFilePermission> READ_AND_EXECUTE =
      PosixFilePermissions.fromString("r-xr-xr-x");

  private final Path root;
  private final List<Mount> mounts;

  private StagedCode(Path root, List<Mount> mounts) {
    this.root = root;
    this.mounts = List.copyOf(mounts);
  }

  /**
   * Extracts the spec's code and layers with its archive limits (as {@link Archive#extractTo}: no
   * entry through a link, later layers overwrite earlier files).
   *
   * @param spec the launch spec, with code or layers
   * @param parent the folder to stage in
   * @param owner the runtime's owner
   * @return the staged folder
   * @throws io.lambdarun.api.InvalidArchiveException if an archive is unsafe or too large
   * @throws UncheckedIOException if writing fails (the partial folder is deleted)
   */
  static StagedCode stage(LaunchSpec spec, Path parent, Owner owner) {
    Path root;
    try {
      root = Files.createTempDirectory(parent, PREFIX);
      Files.setPosixFilePermissions(root, FOLDER);
      Files.writeString(
          root.resolve(OWNER_FILE), owner.id() + " " + owner.pid() + " " + owner.host());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a folder in '" + parent + "'", e);
    }
    try {
      List<Mount> mounts = new ArrayList<>();
      if (spec.code().isPresent()) {
        Path task = root.resolve("task");
        spec.code().get().extractTo(task, spec.archiveLimits());
        mounts.add(readOnly(task, "/var/task"));
        if (spec.isCustomRuntime()) {
          mounts.add(readOnly(task, "/var/runtime"));
        }
      }
      if (!spec.layers().isEmpty()) {
        Path opt = root.resolve("opt");
        Archive.extractTo(spec.layers(), opt, spec.archiveLimits());
        mounts.add(readOnly(opt, "/opt"));
      }
      makeFoldersReadable(root);
      return new StagedCode(root, mounts);
    } catch (RuntimeException e) {
      ExtractedFolder.delete(root);
      throw e;
    }
  }

  /**
   * Returns the read-only bind mounts of the staged folders. Unlike a {@code Binds} entry, whose
   * missing source the engine creates empty, a mount whose source the engine cannot see fails the
   * create.
   *
   * @return the mounts, host folder to container path
   */
  List<Mount> mounts() {
    return mounts;
  }

  /** Deletes the staged folder; best effort. */
  void delete() {
    ExtractedFolder.delete(root);
  }

  /**
   * Deletes the folders staged by owners that are dead on this machine.
   *
   * @param parent the folder staged in
   * @return the number of folders deleted
   */
  static int sweep(Path parent) {
    int deleted = 0;
    try (DirectoryStream<Path> staged = Files.newDirectoryStream(parent, PREFIX + "*")) {
      for (Path folder : staged) {
        if (ownerOf(folder).filter(Owner::isDeadOnThisHost).isPresent()) {
          ExtractedFolder.delete(folder);
          deleted++;
        }
      }
    } catch (IOException e) {
      // best effort: nothing staged yet, or the folder is not readable
    }
    return deleted;
  }

  private static Optional<Owner> ownerOf(Path folder) {
    try {
      String[] fields =
          Files.readString(folder.resolve(OWNER_FILE), StandardCharsets.UTF_8).strip().split(" ");
      return fields.length == 3
          ? Optional.of(new Owner(fields[0], Long.parseLong(fields[1]), fields[2]))
          : Optional.empty();
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty(); // being written, or not a staged folder: kept
    }
  }

  @Override
  public String toString() {
    return root.toString();
  }

  private static Mount readOnly(Path folder, String containerPath) {
    return new Mount()
        .withType(MountType.BIND)
        .withSource(folder.toString())
        .withTarget(containerPath)
        .withReadOnly(true);
  }

  /**
   * Lets everyone list and enter the folders. Files keep their modes, as on Lambda: one that others
   * may not read cannot be read by the function.
   */
  private static void makeFoldersReadable(Path root) {
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
                throws IOException {
              Files.setPosixFilePermissions(dir, with(dir, READ_AND_EXECUTE));
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make the staged code in '" + root + "' readable", e);
    }
  }

  private static Set<PosixFilePermission> with(Path path, Set<PosixFilePermission> added)
      throws IOException {
    Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
    permissions.addAll(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    permissions.addAll(added);
    return permissions;
  }
}
