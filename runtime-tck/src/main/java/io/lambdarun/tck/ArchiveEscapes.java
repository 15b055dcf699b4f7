package io.lambdarun.tck;

import io.lambdarun.api.Archive;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Archives that try to write outside the folder they are extracted into ({@code /var/task} for the
 * code, {@code /opt} for the layers) through symbolic links, for backends to prove that each launch
 * fails with {@link io.lambdarun.api.InvalidArchiveException} before anything is written or run.
 * Every escape tries to write a file named {@link #ESCAPED_FILE}, {@link #HOPS} folders above its
 * extraction folder: from the local backend's {@code <work-dir>/<owner>/<instance>/task} into its
 * work folder, and to {@code /} in a container.
 */
public final class ArchiveEscapes {

  /** The name of the file every escape tries to write. */
  public static final String ESCAPED_FILE = "escaped-by-lambdarun-tck.txt";

  /** How many folders above its extraction folder each escape aims. */
  public static final int HOPS = 3;

  private static final int FILE = 0100644;
  private static final int FOLDER = 0040755;
  private static final int LINK = 0120777;

  private ArchiveEscapes() {}

  /**
   * One attempt to escape.
   *
   * @param description what the archives do, for test names
   * @param code the code archive, or empty when the attempt is in the layers (any harmless code
   *     then goes with them)
   * @param layers the layers in attach order
   * @param refusal the part of the exception's message that names the offending entry, the same on
   *     every backend
   */
  public record Escape(
      String description, Optional<Archive> code, List<Archive> layers, String refusal) {

    @Override
    public String toString() {
      return description;
    }
  }

  /**
   * Returns every attempt.
   *
   * @return the attempts, each refused by a safe backend
   */
  public static List<Escape> all() {
    List<Escape> escapes = new ArrayList<>();
    escapes.add(
        new Escape(
            "a chain of '..' links under a link to '.', in one code archive",
            Optional.of(zip("escape-chain", climbingChain())),
            List.of(),
            "'escape-chain' has an entry 'a/h1' that needs 'a' to be a folder"));
    List<Entry> foldersFirst = new ArrayList<>();
    String folder = "a/";
    for (int hop = 0; hop <= HOPS; hop++) {
      foldersFirst.add(new Entry(folder, "", FOLDER));
      folder += "h" + (hop + 1) + "/";
    }
    foldersFirst.addAll(climbingChain());
    escapes.add(
        new Escape(
            "the same chain after folder entries for each of its paths",
            Optional.of(zip("escape-folders-first", foldersFirst)),
            List.of(),
            "'escape-folders-first' has a symbolic link 'a' where archive"
                + " 'escape-folders-first' placed a folder"));
    escapes.add(
        new Escape(
            "the chain split over layers, one entry each, each harmless alone",
            Optional.empty(),
            splitOverLayers("escape-layer", false),
            "archive 'escape-layer-2' has an entry 'a/h1' that needs 'a' to be a folder, but"
                + " archive 'escape-layer-1' placed a symbolic link there"));
    escapes.add(
        new Escape(
            "a link to a link to a link to '.', and a '..' link under the last",
            Optional.of(zip("escape-links-to-links", linksToLinks())),
            List.of(),
            "'escape-links-to-links' has an entry 'three/h1' that needs 'three' to be a folder"));
    escapes.add(
        new Escape(
            "links whose targets climb out of the previous link ('l1' -> 'l0/..')",
            Optional.of(zip("escape-climbing-targets", climbingTargets())),
            List.of(),
            "'escape-climbing-targets' has a symbolic link 'l1' pointing to 'l0/..'"));
    escapes.add(
        new Escape(
            "an absolute link",
            Optional.of(
                zip(
                    "escape-absolute",
                    List.of(link("abs", "/"), new Entry("abs/" + ESCAPED_FILE, "escaped", FILE)))),
            List.of(),
            "'escape-absolute' has a symbolic link 'abs' pointing to '/'"));
    escapes.add(
        new Escape(
            "the layered chain with its links disguised as files in the local headers, as an"
                + " unzip that reads types from the central directory by position would see links",
            Optional.empty(),
            splitOverLayers("escape-disguised", true),
            "archive 'escape-disguised-1' is corrupt (entry 1 is 'a' in its local header but 'q'"
                + " in the central directory)"));
    return escapes;
  }

  /** One zip entry: a name, its bytes as text, and its Unix type and mode. */
  private record Entry(String name, String content, int mode) {}

  private static Entry link(String name, String target) {
    return new Entry(name, target, LINK);
  }

  /** {@code a -> .}, then {@code a/h1 -> ..}, {@code a/h1/h2 -> ..}, ..., then the file. */
  private static List<Entry> climbingChain() {
    List<Entry> entries = new ArrayList<>();
    entries.add(link("a", "."));
    String path = "a";
    for (int hop = 1; hop <= HOPS; hop++) {
      path += "/h" + hop;
      entries.add(link(path, ".."));
    }
    entries.add(new Entry(path + "/" + ESCAPED_FILE, "escaped", FILE));
    return entries;
  }

  /**
   * The climbing chain as layers, one entry each, as they must be for busybox's unzip, which
   * creates a link with {@code ..} in its target only after the rest of its archive: 1 + {@link
   * #HOPS} + 1 layers, within Lambda's 5.
   */
  private static List<Archive> splitOverLayers(String name, boolean disguised) {
    List<Archive> layers = new ArrayList<>();
    for (Entry entry : climbingChain()) {
      byte[] bytes = zipBytes(List.of(entry));
      if (disguised) {
        renameInCentralDirectory(bytes);
      }
      layers.add(Archive.ofBytes(name + "-" + (layers.size() + 1), bytes));
    }
    return layers;
  }

  /** {@code one -> .}, {@code two -> one}, {@code three -> two}, then the chain under three. */
  private static List<Entry> linksToLinks() {
    List<Entry> entries = new ArrayList<>();
    entries.add(link("one", "."));
    entries.add(link("two", "one"));
    entries.add(link("three", "two"));
    String path = "three";
    for (int hop = 1; hop <= HOPS; hop++) {
      path += "/h" + hop;
      entries.add(link(path, ".."));
    }
    entries.add(new Entry(path + "/" + ESCAPED_FILE, "escaped", FILE));
    return entries;
  }

  /** {@code l0 -> .}, {@code l1 -> l0/..}, {@code l2 -> l1/..}, ..., then the file. */
  private static List<Entry> climbingTargets() {
    List<Entry> entries = new ArrayList<>();
    entries.add(link("l0", "."));
    for (int hop = 1; hop <= HOPS; hop++) {
      entries.add(link("l" + hop, "l" + (hop - 1) + "/.."));
    }
    entries.add(new Entry("l" + HOPS + "/" + ESCAPED_FILE, "escaped", FILE));
    return entries;
  }

  private static Archive zip(String name, List<Entry> entries) {
    return Archive.ofBytes(name, zipBytes(entries));
  }

  /**
   * Zips the entries in order with their Unix modes in the central directory and links stored
   * uncompressed, as Info-ZIP does (busybox's unzip refuses compressed links).
   */
  private static byte[] zipBytes(List<Entry> entries) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Entry entry : entries) {
        byte[] content = entry.content().getBytes(StandardCharsets.UTF_8);
        ZipEntry zipEntry = new ZipEntry(entry.name());
        if (entry.mode() == LINK) {
          CRC32 crc = new CRC32();
          crc.update(content);
          zipEntry.setMethod(ZipEntry.STORED);
          zipEntry.setSize(content.length);
          zipEntry.setCompressedSize(content.length);
          zipEntry.setCrc(crc.getValue());
        }
        zip.putNextEntry(zipEntry);
        zip.write(content);
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] data = bytes.toByteArray();
    ByteBuffer buffer = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    int position = centralDirectory(data);
    for (Entry entry : entries) {
      data[position + 5] = 3; // made on Unix
      buffer.putInt(position + 38, entry.mode() << 16);
      position = nextCentralHeader(buffer, position);
    }
    return data;
  }

  /** Makes each central directory name start with 'q' while the local headers keep theirs. */
  private static void renameInCentralDirectory(byte[] zip) {
    ByteBuffer buffer = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
    for (int position = centralDirectory(zip);
        buffer.getInt(position) == 0x02014b50;
        position = nextCentralHeader(buffer, position)) {
      zip[position + 46] = 'q';
    }
  }

  private static int centralDirectory(byte[] zip) {
    return ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN).getInt(zip.length - 22 + 16);
  }

  private static int nextCentralHeader(ByteBuffer buffer, int position) {
    return position
        + 46
        + Short.toUnsignedInt(buffer.getShort(position + 28))
        + Short.toUnsignedInt(buffer.getShort(position + 30))
        + Short.toUnsignedInt(buffer.getShort(position + 32));
  }
}
