package io.lambdarun.api;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * A zip archive of function code or of a layer, held in memory, read only through guarded methods.
 *
 * <p>{@link #forEachEntry} and {@link #extractTo} are the only ways to look inside, and both
 * enforce the same rules, so every backend is equally safe: a corrupt archive (including one whose
 * central directory names other entries than its local headers, which another unzip would read
 * differently), an entry whose path leaves the root (zip slip), a symbolic link pointing outside
 * the root, an entry that needs a link placed by an earlier entry to be a folder, a link where an
 * earlier entry placed a folder, or an archive expanding beyond {@link ArchiveLimits} raises {@link
 * InvalidArchiveException} before anything escapes. Archives extracted one after the other into one
 * folder (layers into {@code /opt}) are checked together by the static {@link #forEachEntry(List,
 * ArchiveLimits, EntryConsumer)} and {@link #extractTo(List, Path, ArchiveLimits)}, so a link
 * placed by one cannot carry an entry of a later one outside. Unix permission bits stored in the
 * archive (for example an executable {@code bootstrap}) are kept.
 *
 * <p>Link targets are checked as text, which is sound because of two rules: no entry's path runs
 * through a link (so every link sits in a real folder at the depth its path says), and a target has
 * its {@code ..} segments first ({@code ../../lib/x}, never {@code lib/../x}, whose {@code ..}
 * would climb from wherever {@code lib} points). Extraction also never follows a link on disk.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * <p>One file on purpose: the rules above hold only because both ways in share one reader and one
 * path check; keeping them together keeps them from drifting apart.
 */
public final class Archive {

  private static final int EOCD_SIGNATURE = 0x06054b50;
  private static final int CENTRAL_HEADER_SIGNATURE = 0x02014b50;
  private static final int UNIX_HOST = 3;
  private static final int TYPE_MASK = 0170000;
  private static final int TYPE_SYMLINK = 0120000;
  private static final int TYPE_DIRECTORY = 0040000;
  private static final int MAX_LINK_TARGET = 4096;

  private final String name;
  private final byte[] bytes;
  private final String sha256;

  private Archive(String name, byte[] bytes) {
    this.name = Objects.requireNonNull(name, "name");
    this.bytes = bytes;
    this.sha256 = sha256Hex(bytes);
  }

  /**
   * Wraps the bytes of a zip archive; the array is copied.
   *
   * @param name a name used in messages, e.g. {@code code} or a layer ARN
   * @param zipBytes the archive's bytes
   * @return the archive
   */
  public static Archive ofBytes(String name, byte[] zipBytes) {
    return new Archive(name, zipBytes.clone());
  }

  /**
   * Reads a zip archive from a file.
   *
   * @param zipFile the file
   * @return the archive, named after the file
   * @throws UncheckedIOException if the file cannot be read
   */
  public static Archive ofFile(Path zipFile) {
    try {
      return new Archive(zipFile.toString(), Files.readAllBytes(zipFile));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read archive '" + zipFile + "'", e);
    }
  }

  /**
   * Zips a folder in memory, keeping Unix permission bits and relative symbolic links, so that a
   * handler folder on disk (for example one with an executable {@code bootstrap}) becomes the same
   * archive AWS would receive. Entries are sorted and timestamps fixed, so the same folder always
   * yields the same bytes and {@link #sha256()}.
   *
   * @param name a name used in messages
   * @param folder the folder whose content becomes the archive's root
   * @return the archive
   * @throws UncheckedIOException if the folder cannot be read
   */
  public static Archive ofDirectory(String name, Path folder) {
    try {
      return new Archive(name, FolderZipper.zip(folder));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot zip folder '" + folder + "'", e);
    }
  }

  /**
   * Returns the name used in messages.
   *
   * @return the archive's name
   */
  public String name() {
    return name;
  }

  /**
   * Returns the compressed size.
   *
   * @return the number of bytes of the zip file
   */
  public long size() {
    return bytes.length;
  }

  /**
   * Returns the SHA-256 of the zip bytes in lower-case hex, as a stable identity for caching and
   * fingerprints.
   *
   * @return 64 hex characters
   */
  public String sha256() {
    return sha256;
  }

  /**
   * Opens the raw zip bytes, for backends that ship the archive as it is (for example to an init
   * container that unzips it).
   *
   * @return a new stream over the zip bytes
   */
  public InputStream open() {
    return new ByteArrayInputStream(bytes);
  }

  /** Receives the entries of an archive one at a time. */
  @FunctionalInterface
  public interface EntryConsumer {
    /**
     * Accepts one entry.
     *
     * @param entry the validated entry
     * @param content the entry's bytes for {@link ArchiveEntry.Type#FILE}, an empty stream
     *     otherwise; valid only during this call; reading past the limits throws {@link
     *     InvalidArchiveException}
     * @throws IOException to abort the iteration; it is rethrown as {@link UncheckedIOException}
     */
    void accept(ArchiveEntry entry, InputStream content) throws IOException;
  }

  /**
   * Visits every entry in archive order after validating it.
   *
   * @param limits the expansion bounds
   * @param consumer receives each entry
   * @throws InvalidArchiveException if the archive is corrupt, unsafe or too large
   * @throws UncheckedIOException if the consumer fails
   */
  public void forEachEntry(ArchiveLimits limits, EntryConsumer consumer) {
    forEachEntry(limits, new PlacedPaths(), consumer);
  }

  /**
   * Visits the entries of archives that are extracted one after the other into the same folder, as
   * layers are into {@code /opt}: each archive is validated as {@link #forEachEntry(ArchiveLimits,
   * EntryConsumer)} does, with its own limits, and an entry that needs a link placed by an earlier
   * archive to be a folder, or is a link where an earlier archive placed a folder, is refused too.
   *
   * @param archives the archives in extraction order
   * @param limits the expansion bounds of each archive
   * @param consumer receives each entry of each archive in turn
   * @throws InvalidArchiveException if an archive is corrupt, unsafe or too large, or runs through
   *     a link of an earlier one
   * @throws UncheckedIOException if the consumer fails
   */
  public static void forEachEntry(
      List<Archive> archives, ArchiveLimits limits, EntryConsumer consumer) {
    PlacedPaths placed = new PlacedPaths();
    for (Archive archive : archives) {
      archive.forEachEntry(limits, placed, consumer);
    }
  }

  private void forEachEntry(ArchiveLimits limits, PlacedPaths placed, EntryConsumer consumer) {
    List<CentralEntry> central = readCentralDirectory();
    long[] expanded = {0};
    int count = 0;
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
      ZipEntry zipEntry;
      while ((zipEntry = zip.getNextEntry()) != null) {
        if (++count > limits.maxEntries()) {
          throw new InvalidArchiveException(
              "archive '"
                  + name
                  + "' holds more than "
                  + limits.maxEntries()
                  + " entries; split it or raise the archive entry limit");
        }
        CentralEntry listed = listedAs(central, count, zipEntry.getName());
        InputStream bounded = new BoundedStream(zip, expanded, limits.maxExpandedBytes());
        ArchiveEntry entry = toEntry(zipEntry, listed.unixMode(), bounded);
        placed.admit(name, entry);
        consumer.accept(
            entry,
            entry.type() == ArchiveEntry.Type.FILE ? bounded : InputStream.nullInputStream());
        bounded.transferTo(OutputStream.nullOutputStream());
      }
    } catch (ZipException e) {
      throw new InvalidArchiveException(
          "archive '" + name + "' is corrupt (" + e.getMessage() + "); rebuild the zip file");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read archive '" + name + "'", e);
    }
    if (count < central.size()) {
      throw new InvalidArchiveException(
          "archive '"
              + name
              + "' is corrupt (its central directory lists "
              + central.size()
              + " entries but "
              + count
              + " were found); rebuild the zip file");
    }
  }

  /**
   * Returns the central directory's record of the entry at {@code position} (from 1), which must
   * carry the same name as the local header: other unzip programs (the Kubernetes init container's)
   * take each entry's type from the central directory in order, so a mismatch would let them see
   * links where this class saw files.
   */
  private CentralEntry listedAs(List<CentralEntry> central, int position, String localName) {
    if (position > central.size()) {
      throw new InvalidArchiveException(
          "archive '"
              + name
              + "' is corrupt (entry "
              + position
              + " '"
              + localName
              + "' is missing from the central directory); rebuild the zip file");
    }
    CentralEntry listed = central.get(position - 1);
    if (!listed.name().equals(localName)) {
      throw new InvalidArchiveException(
          "archive '"
              + name
              + "' is corrupt (entry "
              + position
              + " is '"
              + localName
              + "' in its local header but '"
              + listed.name()
              + "' in the central directory);"
              + " rebuild the zip file");
    }
    return listed;
  }

  /**
   * Lists the validated entries without their contents.
   *
   * @param limits the expansion bounds
   * @return the entries in archive order
   * @throws InvalidArchiveException if the archive is corrupt, unsafe or too large
   */
  public List<ArchiveEntry> entries(ArchiveLimits limits) {
    List<ArchiveEntry> entries = new ArrayList<>();
    forEachEntry(limits, (entry, content) -> entries.add(entry));
    return entries;
  }

  /**
   * Extracts the archive into a folder, creating it if needed. Files already there are overwritten.
   * Permission bits are applied on file systems that support them. No symbolic link below the
   * folder is ever followed, not even one that was there before.
   *
   * @param root the destination folder
   * @param limits the expansion bounds
   * @throws InvalidArchiveException if the archive is corrupt, unsafe or too large, or an entry
   *     needs a link already in the folder to be a folder
   * @throws UncheckedIOException if writing fails
   */
  public void extractTo(Path root, ArchiveLimits limits) {
    extractTo(List.of(this), root, limits);
  }

  /**
   * Extracts archives one after the other into one folder, as layers go into {@code /opt}: later
   * archives overwrite files of earlier ones, and each is checked as {@link #forEachEntry(List,
   * ArchiveLimits, EntryConsumer)} checks it, so a link placed by one archive carries no entry of a
   * later one anywhere. Otherwise as {@link #extractTo(Path, ArchiveLimits)}.
   *
   * @param archives the archives in extraction order
   * @param root the destination folder
   * @param limits the expansion bounds of each archive
   * @throws InvalidArchiveException if an archive is corrupt, unsafe or too large, or an entry runs
   *     through a link
   * @throws UncheckedIOException if writing fails
   */
  public static void extractTo(List<Archive> archives, Path root, ArchiveLimits limits) {
    Path base = root.toAbsolutePath().normalize();
    try {
      Files.createDirectories(base);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create folder '" + base + "'", e);
    }
    FolderWriter writer = new FolderWriter(base);
    PlacedPaths placed = new PlacedPaths();
    for (Archive archive : archives) {
      archive.forEachEntry(
          limits, placed, (entry, content) -> writer.write(archive.name, entry, content));
    }
  }

  private ArchiveEntry toEntry(ZipEntry zipEntry, Integer unixMode, InputStream content)
      throws IOException {
    String path = safePath(zipEntry.getName());
    int type = unixMode == null ? 0 : unixMode & TYPE_MASK;
    if (type == TYPE_SYMLINK) {
      byte[] target = content.readNBytes(MAX_LINK_TARGET + 1);
      String link = new String(target, StandardCharsets.UTF_8);
      checkLinkTarget(path, link, target.length);
      return new ArchiveEntry(path, ArchiveEntry.Type.SYMLINK, unixMode & 07777, link);
    }
    boolean directory = zipEntry.isDirectory() || type == TYPE_DIRECTORY;
    int mode;
    if (unixMode != null && (unixMode & 07777) != 0) {
      mode = unixMode & 07777;
    } else {
      mode = directory ? 0755 : 0644;
    }
    return new ArchiveEntry(
        path, directory ? ArchiveEntry.Type.DIRECTORY : ArchiveEntry.Type.FILE, mode, "");
  }

  /**
   * Refuses a target that is empty, too long, absolute, climbs above the root from the link's
   * folder, or has a {@code ..} after a name (the name may be a link, placed before or after this
   * one, and {@code ..} climbs from wherever it points).
   */
  private void checkLinkTarget(String linkPath, String target, int length) {
    int depth = linkPath.split("/").length - 1;
    boolean inside =
        length <= MAX_LINK_TARGET
            && !target.isEmpty()
            && !target.startsWith("/")
            && target.indexOf('\0') < 0;
    boolean afterName = false;
    for (String segment : target.split("/")) {
      if (segment.equals("..") && afterName) {
        throw new InvalidArchiveException(
            "archive '"
                + name
                + "' has a symbolic link '"
                + linkPath
                + "' pointing to '"
                + target
                + "', whose '..' follows a name that may itself be a link; write the target with"
                + " every '..' first (for example '../lib/x')");
      } else if (segment.equals("..")) {
        depth--;
      } else if (!segment.isEmpty() && !segment.equals(".")) {
        afterName = true;
      }
    }
    if (!inside || depth < 0) {
      throw new InvalidArchiveException(
          "archive '"
              + name
              + "' has a symbolic link '"
              + linkPath
              + "' pointing to '"
              + target
              + "' outside the archive; remove the link or make it relative and inside");
    }
  }

  private String safePath(String rawName) {
    String normalized = rawName.replace('\\', '/');
    while (normalized.endsWith("/")) {
      normalized = normalized.substring(0, normalized.length() - 1);
    }
    boolean unsafe =
        normalized.isEmpty()
            || normalized.startsWith("/")
            || normalized.indexOf('\0') >= 0
            || (normalized.length() > 1 && normalized.charAt(1) == ':');
    for (String segment : normalized.split("/", -1)) {
      if (segment.equals("..") || segment.equals(".") || segment.isEmpty()) {
        unsafe = true;
      }
    }
    if (unsafe) {
      throw new InvalidArchiveException(
          "archive '"
              + name
              + "' has an entry '"
              + rawName
              + "' whose path is absolute, empty or leaves the archive root (zip slip); rebuild"
              + " the zip with relative paths");
    }
    return normalized;
  }

  /** One entry of the central directory: its name and, when made on Unix, its mode and type. */
  private record CentralEntry(String name, Integer unixMode) {}

  /**
   * Reads the central directory, which {@link ZipInputStream} ignores, in order: every record from
   * its start up to the first that is not one, whatever the end record's count says (it says 65,535
   * for larger archives).
   */
  private List<CentralEntry> readCentralDirectory() {
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int eocd = -1;
    for (int i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65_535); i--) {
      if (buffer.getInt(i) == EOCD_SIGNATURE) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) {
      throw new InvalidArchiveException(
          "archive '"
              + name
              + "' is not a zip file (no end of central directory record); provide"
              + " a zip archive");
    }
    long offset = Integer.toUnsignedLong(buffer.getInt(eocd + 16));
    if (offset > eocd) {
      throw new InvalidArchiveException(
          "archive '" + name + "' is corrupt (bad central directory); rebuild the zip file");
    }
    List<CentralEntry> entries = new ArrayList<>();
    int position = (int) offset;
    while (position + 46 <= eocd && buffer.getInt(position) == CENTRAL_HEADER_SIGNATURE) {
      int madeBy = Short.toUnsignedInt(buffer.getShort(position + 4)) >> 8;
      int nameLength = Short.toUnsignedInt(buffer.getShort(position + 28));
      int extraLength = Short.toUnsignedInt(buffer.getShort(position + 30));
      int commentLength = Short.toUnsignedInt(buffer.getShort(position + 32));
      int externalAttributes = buffer.getInt(position + 38);
      if (position + 46 + nameLength > eocd) {
        throw new InvalidArchiveException(
            "archive '"
                + name
                + "' is corrupt (truncated central directory); rebuild the zip"
                + " file");
      }
      String entryName = new String(bytes, position + 46, nameLength, StandardCharsets.UTF_8);
      Integer unixMode = madeBy == UNIX_HOST ? externalAttributes >>> 16 : null;
      entries.add(new CentralEntry(entryName, unixMode));
      position += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
  }

  private static String sha256Hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "Archive[" + name + ", " + bytes.length + " bytes, sha256=" + sha256 + "]";
  }

  /** Counts bytes read across all entries and stops at the limit. */
  private final class BoundedStream extends FilterInputStream {
    private final long[] total;
    private final long limit;

    BoundedStream(InputStream in, long[] total, long limit) {
      super(in);
      this.total = total;
      this.limit = limit;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      if (n > 0) {
        count(n);
      }
      return n;
    }

    @Override
    public void close() {
      // the zip stream is owned by forEachEntry
    }

    private void count(int n) {
      total[0] += n;
      if (total[0] > limit) {
        throw new InvalidArchiveException(
            "archive '"
                + name
                + "' expands beyond "
                + limit
                + " bytes (a zip bomb or an oversized package); shrink it or raise the archive"
                + " size limit");
      }
    }
  }
}
