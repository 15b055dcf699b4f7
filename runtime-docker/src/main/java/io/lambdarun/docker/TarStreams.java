package io.lambdarun.docker;

import io.lambdarun.api.Archive;
import io.lambdarun.api.ArchiveEntry;
import io.lambdarun.api.ArchiveLimits;
import io.lambdarun.api.LaunchSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes a function's files as one tar stream to extract at the container's root: the code under
 * {@code var/task} (and {@code var/runtime} for custom runtimes), then the layers in attach order
 * under {@code opt}, so that extracting it lets later layers overwrite earlier files. Entries keep
 * their Unix modes and symbolic links, and are owned by root.
 */
final class TarStreams {

  /** The folder the code goes to. */
  static final String TASK_ROOT = "var/task";

  /** The folder the code of a custom runtime also goes to. */
  static final String RUNTIME_ROOT = "var/runtime";

  /** The folder layers go to. */
  static final String LAYER_ROOT = "opt";

  private static final Instant MODIFIED = Instant.parse("1980-01-01T00:00:00Z");
  private static final int TYPE_FILE = 0100000;
  private static final int TYPE_DIRECTORY = 0040000;
  private static final int TYPE_SYMLINK = 0120000;

  private TarStreams() {}

  /**
   * Tells whether the spec has any file to copy.
   *
   * @param spec the launch spec
   * @return true when there is code or a layer
   */
  static boolean hasFiles(LaunchSpec spec) {
    return spec.code().isPresent() || !spec.layers().isEmpty();
  }

  /**
   * Writes the tar stream of the spec's code and layers.
   *
   * @param spec the launch spec
   * @param out receives the tar bytes; flushed, not closed
   * @throws IOException if writing fails
   * @throws io.lambdarun.api.InvalidArchiveException if an archive is corrupt, unsafe or too large
   */
  static void write(LaunchSpec spec, OutputStream out) throws IOException {
    TarArchiveOutputStream tar = new TarArchiveOutputStream(out, StandardCharsets.UTF_8.name());
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    List<String> codeRoots = new ArrayList<>();
    if (spec.code().isPresent()) {
      codeRoots.add(TASK_ROOT);
      if (spec.isCustomRuntime()) {
        codeRoots.add(RUNTIME_ROOT);
      }
    }
    for (String root : codeRoots) {
      writeArchives(tar, List.of(spec.code().get()), root, spec.archiveLimits());
    }
    if (!spec.layers().isEmpty()) {
      writeArchives(tar, spec.layers(), LAYER_ROOT, spec.archiveLimits());
    }
    tar.finish();
    tar.flush();
  }

  /**
   * Writes archives that share a root, checked together so that no entry runs through a link an
   * earlier one placed: the engine's extraction would follow it.
   */
  private static void writeArchives(
      TarArchiveOutputStream tar, List<Archive> archives, String root, ArchiveLimits limits)
      throws IOException {
    Set<String> written = new TreeSet<>();
    directory(tar, root, 0755, written);
    try {
      Archive.forEachEntry(
          archives,
          limits,
          (entry, content) -> {
            String path = root + "/" + entry.path();
            parents(tar, root, entry.path(), written);
            switch (entry.type()) {
              case DIRECTORY -> {
                written.remove(path);
                directory(tar, path, entry.mode(), written);
              }
              case SYMLINK -> {
                TarArchiveEntry link = entry(path, TarConstants.LF_SYMLINK, TYPE_SYMLINK, entry);
                link.setLinkName(entry.linkTarget());
                tar.putArchiveEntry(link);
                tar.closeArchiveEntry();
              }
              case FILE -> {
                byte[] bytes = content.readAllBytes();
                TarArchiveEntry file = entry(path, TarConstants.LF_NORMAL, TYPE_FILE, entry);
                file.setSize(bytes.length);
                tar.putArchiveEntry(file);
                tar.write(bytes);
                tar.closeArchiveEntry();
              }
            }
          });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Writes entries for the parent folders an archive may leave implicit. */
  private static void parents(
      TarArchiveOutputStream tar, String root, String path, Set<String> written)
      throws IOException {
    int slash = path.indexOf('/');
    while (slash > 0) {
      directory(tar, root + "/" + path.substring(0, slash), 0755, written);
      slash = path.indexOf('/', slash + 1);
    }
  }

  private static void directory(
      TarArchiveOutputStream tar, String path, int mode, Set<String> written) throws IOException {
    if (!written.add(path)) {
      return;
    }
    TarArchiveEntry directory = new TarArchiveEntry(path + "/", TarConstants.LF_DIR);
    directory.setMode(TYPE_DIRECTORY | mode | 0700);
    ownedByRoot(directory);
    tar.putArchiveEntry(directory);
    tar.closeArchiveEntry();
  }

  private static TarArchiveEntry entry(String path, byte type, int typeBits, ArchiveEntry source) {
    TarArchiveEntry entry = new TarArchiveEntry(path, type);
    entry.setMode(typeBits | source.mode());
    ownedByRoot(entry);
    return entry;
  }

  private static void ownedByRoot(TarArchiveEntry entry) {
    entry.setUserId(0);
    entry.setGroupId(0);
    entry.setUserName("root");
    entry.setGroupName("root");
    entry.setModTime(MODIFIED.toEpochMilli());
  }
}
