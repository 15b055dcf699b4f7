package io.lambdarun.api;

import java.util.HashMap;
import java.util.Map;

/**
 * The folders and symbolic links that the archives extracted one after the other into one folder
 * have placed so far, each with the archive that placed it first, so that a path stays one kind: no
 * entry, of the same archive or of a later one, may need a placed link to be a folder (the entry
 * would be written wherever the link points), and no link may replace a placed folder (the engines
 * differ on whether they delete what is in it).
 */
final class PlacedPaths {

  private final Map<String, String> archiveByLink = new HashMap<>();
  private final Map<String, String> archiveByFolder = new HashMap<>();

  /**
   * Refuses an entry that needs a placed link to be a folder (one of its parents, or itself for a
   * folder entry) or that is a link where a folder was placed, then records what it places.
   *
   * @param archive the name of the entry's archive
   * @param entry the entry
   * @throws InvalidArchiveException if the entry runs through a placed link or replaces a folder
   */
  void admit(String archive, ArchiveEntry entry) {
    String path = entry.path();
    for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
      placeFolder(path.substring(0, slash), archive, path);
    }
    if (entry.type() == ArchiveEntry.Type.DIRECTORY) {
      placeFolder(path, archive, path);
    } else if (entry.type() == ArchiveEntry.Type.SYMLINK) {
      String folderBy = archiveByFolder.get(path);
      if (folderBy != null) {
        throw new InvalidArchiveException(
            "archive '"
                + archive
                + "' has a symbolic link '"
                + path
                + "' where archive '"
                + folderBy
                + "' placed a folder; extraction never replaces a folder with a link,"
                + " so remove the link or the folder");
      }
      archiveByLink.putIfAbsent(path, archive);
    }
  }

  private void placeFolder(String folder, String archive, String path) {
    String linkBy = archiveByLink.get(folder);
    if (linkBy != null) {
      throw new InvalidArchiveException(
          "archive '"
              + archive
              + "' has an entry '"
              + path
              + "' that needs '"
              + folder
              + "' to be a folder, but archive '"
              + linkBy
              + "' placed a symbolic link there;"
              + " extraction never follows links, so put the entry under a real folder");
    }
    archiveByFolder.putIfAbsent(folder, archive);
  }
}
