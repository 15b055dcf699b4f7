package io.lambdarun.core;

import io.lambdarun.api.Archive;
import io.lambdarun.core.model.LambdaFunction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Builds small zips and functions for tests. */
public final class TestFunctions {

  private TestFunctions() {}

  /**
   * Zips files given as name, content pairs.
   *
   * @param namesAndContents alternating entry names and contents
   * @return the zip archive
   */
  public static Archive zip(String... namesAndContents) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (int i = 0; i < namesAndContents.length; i += 2) {
        zip.putNextEntry(new ZipEntry(namesAndContents[i]));
        zip.write(namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Archive.ofBytes("code", bytes.toByteArray());
  }

  /**
   * Returns a valid python zip function builder.
   *
   * @param name the function name
   * @return a builder ready to build
   */
  public static LambdaFunction.Builder python(String name) {
    return LambdaFunction.builder()
        .functionName(name)
        .runtime("python3.12")
        .handler("app.handler")
        .code(zip("app.py", "def handler(event, context):\n    return event\n"));
  }
}
