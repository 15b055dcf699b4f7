package io.lambdarun.server;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Builds zip files for the tests: handlers, a bomb and a slip. */
final class Zips {

  private Zips() {}

  static byte[] of(Map<String, String> files) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, String> file : files.entrySet()) {
        zip.putNextEntry(new ZipEntry(file.getKey()));
        zip.write(file.getValue().getBytes(UTF_8));
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static byte[] python(String body) {
    return of(Map.of("app.py", "import json, os\n\ndef handler(event, context):\n" + body + "\n"));
  }

  /**
   * A Node function that streams: writes {@code first;}, waits until the file {@code event.gate}
   * exists, writes {@code second}, then ends, or throws a {@code RangeError} when {@code
   * event.fail} is set.
   */
  static byte[] streamingNode() {
    return of(
        Map.of(
            "index.js",
            "const fs = require('fs');\n"
                + "exports.handler = awslambda.streamifyResponse(async (event, stream) => {\n"
                + "  stream.write('first;');\n"
                + "  while (!fs.existsSync(event.gate)) {\n"
                + "    await new Promise((resolve) => setTimeout(resolve, 20));\n"
                + "  }\n"
                + "  stream.write('second');\n"
                + "  if (event.fail) { throw new RangeError('broke after two writes'); }\n"
                + "  stream.end();\n"
                + "});\n"));
  }

  /** A handler next to 300 MiB of zeros: about 300 KB zipped, beyond Lambda's 250 MB unzipped. */
  static byte[] bomb() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.putNextEntry(new ZipEntry("app.py"));
      zip.write("def handler(event, context):\n    return 1\n".getBytes(UTF_8));
      zip.putNextEntry(new ZipEntry("zeros.bin"));
      byte[] megabyte = new byte[1 << 20];
      for (int i = 0; i < 300; i++) {
        zip.write(megabyte);
      }
      zip.closeEntry();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
