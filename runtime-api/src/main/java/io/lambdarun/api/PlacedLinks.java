package io.lambdarun.api;

import java.util.HashMap;
import java.util.Map;

/**
 * The symbolic links that the archives extracted one after the other into one folder have placed
 * so far, so that no later entry, of the same archive or of a later one, needs such a link to be a
 * folder: a path running through a link would be written wherever the link points.
 */
final class PlacedLinks {

  private final Map<String, String> archiveByLink = new HashMap<>();

  /**
   * Refuses an entry that needs a placed link to be a folder (one of its parents, or itself for a
   * folder entry), then records the entry if it is a link.
   *
   * @param archive the name of the entry's archive
   * @param entry the entry
   * @throws InvalidArchiveException if the entry runs through a placed link
   */
  void admit(String archive, ArchiveEntry entry) {
    String path = entry.path();
    for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
      refuseLinkAt(path.substring(0, slash), archive, path);
    }
    if (entry.type() == ArchiveEntry.Type.DIRECTORY) {
      refuseLinkAt(path, archive, path);
    }
    if (entry.type() == ArchiveEntry.Type.SYMLINK) {
      archiveByLink.put(path, archive);
    }
  }

  private void refuseLinkAt(String folder, String archive, String path) {
    String placedBy = archiveByLink.get(folder);
    if (placedBy != null) {
      throw new InvalidArchiveException(
          "archive '" + archive + "' has an entry '" + path + "' that needs '" + folder
              + "' to be a folder, but archive '" + placedBy + "' placed a symbolic link there;"
              + " extraction never follows links, so put the entry under a real folder");
    }
  }
}
