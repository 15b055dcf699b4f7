package io.lambdarun.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Zips a folder deterministically with Unix modes. {@link ZipOutputStream} cannot record Unix
 * permissions, so the central directory it writes is patched afterwards: each entry is marked as
 * made on Unix and its external attributes carry the file type and mode, as Info-ZIP does.
 */
final class FolderZipper {

  private static final long FIXED_TIME = 315_532_800_000L + 86_400_000L; // 1980-01-02, DOS-safe
  private static final int CENTRAL_HEADER_SIGNATURE = 0x02014b50;
  private static final int EOCD_SIGNATURE = 0x06054b50;
  private static final int MADE_BY_UNIX = 3 << 8 | 20;

  private FolderZipper() {}

  static byte[] zip(Path folder) throws IOException {
    Path root = folder.toAbsolutePath().normalize();
    if (!Files.isDirectory(root)) {
      throw new InvalidArchiveException(
          "code folder '" + folder + "' does not exist or is not a folder; pass a folder or a zip");
    }
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(root)) {
      paths = walk.filter(p -> !p.equals(root)).sorted().collect(Collectors.toList());
    }
    Map<String, Integer> attributes = new LinkedHashMap<>();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Path path : paths) {
        String name = root.relativize(path).toString().replace('\\', '/');
        if (Files.isSymbolicLink(path)) {
          add(zip, name, Files.readSymbolicLink(path).toString().getBytes(StandardCharsets.UTF_8));
          attributes.put(name, 0120777);
        } else if (Files.isDirectory(path)) {
          name += "/";
          ZipEntry entry = new ZipEntry(name);
          entry.setTime(FIXED_TIME);
          zip.putNextEntry(entry);
          zip.closeEntry();
          attributes.put(name, 0040000 | mode(path, 0755));
        } else {
          add(zip, name, Files.readAllBytes(path));
          attributes.put(name, 0100000 | mode(path, 0644));
        }
      }
    }
    byte[] archive = bytes.toByteArray();
    patchCentralDirectory(archive, attributes);
    return archive;
  }

  private static void add(ZipOutputStream zip, String name, byte[] content) throws IOException {
    ZipEntry entry = new ZipEntry(name);
    entry.setTime(FIXED_TIME);
    zip.putNextEntry(entry);
    zip.write(content);
    zip.closeEntry();
  }

  private static int mode(Path path, int fallback) throws IOException {
    if (!Files.getFileStore(path).supportsFileAttributeView("posix")) {
      return fallback;
    }
    Set<PosixFilePermission> permissions =
        Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
    int mode = 0;
    for (PosixFilePermission permission : permissions) {
      mode |= 1 << (8 - permission.ordinal());
    }
    return mode;
  }

  private static void patchCentralDirectory(byte[] archive, Map<String, Integer> attributes) {
    ByteBuffer buffer = ByteBuffer.wrap(archive).order(ByteOrder.LITTLE_ENDIAN);
    int eocd = archive.length - 22;
    if (buffer.getInt(eocd) != EOCD_SIGNATURE) {
      throw new IllegalStateException("the JDK wrote a zip without a plain end record");
    }
    int count = Short.toUnsignedInt(buffer.getShort(eocd + 10));
    int position = buffer.getInt(eocd + 16);
    for (int i = 0; i < count; i++) {
      if (buffer.getInt(position) != CENTRAL_HEADER_SIGNATURE) {
        throw new IllegalStateException("unexpected central directory layout");
      }
      int nameLength = Short.toUnsignedInt(buffer.getShort(position + 28));
      int extraLength = Short.toUnsignedInt(buffer.getShort(position + 30));
      int commentLength = Short.toUnsignedInt(buffer.getShort(position + 32));
      String name = new String(archive, position + 46, nameLength, StandardCharsets.UTF_8);
      Integer mode = attributes.get(name);
      if (mode != null) {
        buffer.putShort(position + 4, (short) MADE_BY_UNIX);
        buffer.putInt(position + 38, mode << 16 | (name.endsWith("/") ? 0x10 : 0));
      }
      position += 46 + nameLength + extraLength + commentLength;
    }
  }
}
