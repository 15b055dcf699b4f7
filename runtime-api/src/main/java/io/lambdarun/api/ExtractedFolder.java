package io.lambdarun.api;

import java.io.IOException;
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
 * Removes what {@link Archive#extractTo} wrote: a helper for backends that stage code in folders on
 * this machine, whose archives (and Lambda's sandbox) may leave folders without write permission.
 */
public final class ExtractedFolder {

  private static final Set<PosixFilePermission> OWNER_ACCESS =
      EnumSet.of(
          PosixFilePermission.OWNER_READ,
          PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.OWNER_EXECUTE);

  private ExtractedFolder() {}

  /**
   * Deletes a folder and everything in it without following symbolic links, giving each folder its
   * owner's read, write and execute permission first so that read-only folders can be emptied. Best
   * effort: what cannot be deleted stays, for a later sweep.
   *
   * @param folder the folder; nothing happens when it does not exist
   * @return true when the folder is gone afterwards
   */
  public static boolean delete(Path folder) {
    if (!Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
      return true;
    }
    try {
      Files.walkFileTree(
          folder,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
                throws IOException {
              Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
              permissions.addAll(Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS));
              if (permissions.addAll(OWNER_ACCESS)) {
                Files.setPosixFilePermissions(dir, permissions);
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
              Files.deleteIfExists(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      // best effort: the caller's next sweep deletes what is left
    }
    return !Files.exists(folder, LinkOption.NOFOLLOW_LINKS);
  }
}
