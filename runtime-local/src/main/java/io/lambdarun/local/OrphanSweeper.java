package io.lambdarun.local;

import io.lambdarun.api.ExtractedFolder;
import io.lambdarun.api.Owner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kills the processes and deletes the folders and control groups that owners dead on this machine
 * left.
 */
final class OrphanSweeper {

  private static final Logger LOG = LoggerFactory.getLogger(OrphanSweeper.class);

  /** The file in an owner's folder that holds the owner's process id and host. */
  private static final String OWNER_FILE = "owner";

  private final Owner owner;
  private final Path workDir;
  private final ProcessLimits limits;

  /**
   * Creates the sweeper of one owner, which spares its own processes and folder.
   *
   * @param owner the runtime's owner
   * @param workDir the folder that holds one folder per owner
   * @param limits sweeps a dead owner's control groups
   */
  OrphanSweeper(Owner owner, Path workDir, ProcessLimits limits) {
    this.owner = owner;
    this.workDir = workDir;
    this.limits = limits;
  }

  /**
   * Writes the owner file into the owner's folder, by which a later sweep knows the folder's owner.
   *
   * @throws IOException if it cannot be written
   */
  void writeOwnerFile() throws IOException {
    Files.writeString(
        workDir.resolve(owner.id()).resolve(OWNER_FILE),
        owner.pid() + " " + owner.host(),
        StandardCharsets.UTF_8);
  }

  /**
   * Kills the marked processes of owners dead on this machine, with their descendants, then deletes
   * those owners' folders and control groups.
   *
   * @return the number of instances whose processes were killed
   */
  int sweep() {
    Set<String> removed = new LinkedHashSet<>();
    List<ProcessHandle> orphans = new ArrayList<>();
    for (MarkedProcesses.Marked marked : MarkedProcesses.scan()) {
      Owner processOwner = marked.owner();
      if (!processOwner.id().equals(owner.id()) && processOwner.isDeadOnThisHost()) {
        orphans.add(marked.handle());
        removed.add(processOwner.id() + "/" + marked.instanceId());
      }
    }
    ProcessTrees.kill(orphans);
    sweepFolders();
    return removed.size();
  }

  private void sweepFolders() {
    try (DirectoryStream<Path> owners = Files.newDirectoryStream(workDir)) {
      for (Path folder : owners) {
        Path ownerFile = folder.resolve(OWNER_FILE);
        if (folder.getFileName().toString().equals(owner.id()) || !Files.isRegularFile(ownerFile)) {
          continue;
        }
        String[] parts = Files.readString(ownerFile, StandardCharsets.UTF_8).strip().split(" ");
        if (parts.length == 2) {
          try {
            Owner folderOwner =
                new Owner(folder.getFileName().toString(), Long.parseLong(parts[0]), parts[1]);
            if (folderOwner.isDeadOnThisHost()) {
              limits.sweep(folderOwner.id());
              ExtractedFolder.delete(folder);
            }
          } catch (IllegalArgumentException e) {
            LOG.debug("ignoring folder '{}' with a malformed owner file", folder);
          }
        }
      }
    } catch (IOException e) {
      LOG.debug("cannot sweep the work folder '{}'", workDir, e);
    }
  }
}
