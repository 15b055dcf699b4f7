package io.lambdarun.local;

import io.lambdarun.api.Archive;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.Owner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Builds code archives and launch specs for the local backend's tests. */
final class TestFunctions {

  private TestFunctions() {}

  /** A file to put in an archive. */
  record Entry(String content, int mode) {
    static Entry file(String content) {
      return new Entry(content, 0644);
    }

    static Entry executable(String content) {
      return new Entry(content, 0755);
    }
  }

  /**
   * Zips files, keeping their Unix modes in the central directory as {@code zip -X} would.
   *
   * @param name the archive name
   * @param files paths and contents
   * @return the archive
   */
  static Archive zip(String name, Map<String, Entry> files) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, Entry> file : files.entrySet()) {
        zip.putNextEntry(new ZipEntry(file.getKey()));
        zip.write(file.getValue().content().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] data = bytes.toByteArray();
    ByteBuffer buffer = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i + 46 <= data.length; i++) {
      if (buffer.getInt(i) == 0x02014b50) {
        int nameLength = Short.toUnsignedInt(buffer.getShort(i + 28));
        String entryName = new String(data, i + 46, nameLength, StandardCharsets.UTF_8);
        Entry entry = files.get(entryName);
        if (entry != null) {
          data[i + 5] = 3;
          buffer.putInt(i + 38, (0100000 | entry.mode()) << 16);
        }
      }
    }
    return Archive.ofBytes(name, data);
  }

  /**
   * Zips one file.
   *
   * @param path its path
   * @param content its content
   * @return the archive
   */
  static Archive zip(String path, String content) {
    Map<String, Entry> files = new LinkedHashMap<>();
    files.put(path, Entry.file(content));
    return zip("code", files);
  }

  /**
   * Starts a spec for a zip function owned by {@code owner}.
   *
   * @param owner the owner
   * @param runtime the runtime id
   * @param handler the handler
   * @param code the code archive
   * @return a pre-filled builder
   */
  static LaunchSpec.Builder spec(Owner owner, String runtime, String handler, Archive code) {
    String name = "local-test";
    return LaunchSpec.builder()
        .functionName(name)
        .functionArn("arn:aws:lambda:us-east-1:000000000000:function:" + name)
        .deployId(UUID.randomUUID().toString().replace("-", ""))
        .runtime(runtime)
        .handler(handler)
        .image("ignored")
        .code(code)
        .memoryMib(256)
        .timeout(Duration.ofSeconds(30))
        .labels(owner.labels());
  }
}
