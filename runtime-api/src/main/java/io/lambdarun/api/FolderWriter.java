package io.lambdarun.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * Writes validated archive entries below a root folder without ever following a symbolic link below
 * the root: each folder of an entry's path is created or checked one at a time and must not be a
 * link, a file is opened with {@link LinkOption#NOFOLLOW_LINKS}, and a link already where a file or
 * link goes is replaced, not written through. So even links that were in the folder before the
 * extraction cannot carry an entry outside it. Nothing else may write below the root meanwhile.
 */
final class FolderWriter {

  private final Path root;

  /**
   * Creates a writer.
   *
   * @param root the existing, absolute and normalized destination folder
   */
  FolderWriter(Path root) {
    this.root = root;
  }

  /**
   * Writes one entry, applying its mode unless it is a link.
   *
   * @param archive the name of the entry's archive, for messages
   * @param entry the validated entry
   * @param content the entry's bytes for a file
   * @throws InvalidArchiveException if a folder the entry needs is a symbolic link
   * @throws IOException if writing fails
   */
  void write(String archive, ArchiveEntry entry, InputStream content) throws IOException {
    String path = entry.path();
    if (entry.type() == ArchiveEntry.Type.DIRECTORY) {
      applyMode(folder(archive, path, path), entry.mode());
      return;
    }
    int slash = path.lastIndexOf('/');
    Path parent = slash < 0 ? root : folder(archive, path, path.substring(0, slash));
    Path target = parent.resolve(path.substring(slash + 1));
    if (entry.type() == ArchiveEntry.Type.SYMLINK) {
      Files.deleteIfExists(target);
      Files.createSymbolicLink(target, Path.of(entry.linkTarget()));
      return;
    }
    if (Files.isSymbolicLink(target)) {
      Files.delete(target);
    }
    try (OutputStream out =
        Files.newOutputStream(
            target,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS)) {
      content.transferTo(out);
    }
    applyMode(target, entry.mode());
  }

  /** Creates or checks each folder of {@code folderPath} in turn, refusing a link. */
  private Path folder(String archive, String entryPath, String folderPath) throws IOException {
    Path folder = root;
    String walked = "";
    for (String segment : folderPath.split("/")) {
      folder = folder.resolve(segment);
      walked = walked.isEmpty() ? segment : walked + "/" + segment;
      if (Files.isSymbolicLink(folder)) {
        throw new InvalidArchiveException(
            "archive '"
                + archive
                + "' has an entry '"
                + entryPath
                + "' that needs '"
                + walked
                + "' to be a folder, but it is a symbolic link in '"
                + root
                + "'; extraction never"
                + " follows links, so extract into a folder free of links");
      }
      if (Files.notExists(folder, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(folder);
      }
    }
    return folder;
  }

  private static void applyMode(Path target, int mode) throws IOException {
    PosixFileAttributeView view =
        Files.getFileAttributeView(target, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    if (view == null) {
      return;
    }
    Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = {
      PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_READ
    };
    for (int bit = 0; bit < order.length; bit++) {
      if ((mode & (1 << bit)) != 0) {
        permissions.add(order[bit]);
      }
    }
    permissions.add(PosixFilePermission.OWNER_READ);
    if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      permissions.add(PosixFilePermission.OWNER_WRITE);
      permissions.add(PosixFilePermission.OWNER_EXECUTE);
    }
    view.setPermissions(permissions);
  }
}
