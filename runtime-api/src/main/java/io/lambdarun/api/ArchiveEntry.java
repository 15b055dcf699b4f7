package io.lambdarun.api;

import java.util.Objects;

/**
 * One validated entry of an {@link Archive}.
 *
 * @param path the entry's path relative to the extraction root, using {@code /}, never absolute,
 *     never containing {@code .} or {@code ..} segments; directories have no trailing slash
 * @param type what the entry is
 * @param mode the Unix permission bits ({@code 0755}, {@code 0644}, ...); archives made without
 *     Unix attributes get {@code 0755} for directories and {@code 0644} for files
 * @param linkTarget the target of a symbolic link, relative, with any {@code ..} segments first,
 *     and staying inside the root; empty for other types
 */
public record ArchiveEntry(String path, Type type, int mode, String linkTarget) {

  /** The kinds of entries an archive holds. */
  public enum Type {
    /** A regular file; its bytes follow. */
    FILE,
    /** A directory. */
    DIRECTORY,
    /** A symbolic link to {@link ArchiveEntry#linkTarget()}. */
    SYMLINK
  }

  /**
   * Validates the components.
   *
   * @param path the entry's path relative to the extraction root, using {@code /}, never absolute,
   *     never containing {@code .} or {@code ..} segments; directories have no trailing slash
   * @param type what the entry is
   * @param mode the Unix permission bits ({@code 0755}, {@code 0644}, ...); archives made without
   *     Unix attributes get {@code 0755} for directories and {@code 0644} for files
   * @param linkTarget the target of a symbolic link, relative, with any {@code ..} segments first,
   *     and staying inside the root; empty for other types
   */
  public ArchiveEntry {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(linkTarget, "linkTarget");
  }

  /**
   * Tells whether any execute bit is set.
   *
   * @return true when the owner, group or others may execute the entry
   */
  public boolean isExecutable() {
    return (mode & 0111) != 0;
  }
}
