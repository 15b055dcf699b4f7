package io.lambdarun.local;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import io.lambdarun.api.Archive;
import io.lambdarun.local.javafn.PojoHandler;
import io.lambdarun.local.javalayer.Salutation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.joda.time.DateTime;

/**
 * Packs the compiled handlers of {@code io.lambdarun.local.javafn} as Lambda takes Java code: a zip
 * with the classes at the root and dependency jars under {@code lib/}, a plain jar, and a layer
 * with {@code java/lib/*.jar}.
 */
final class JavaFunctions {

  private JavaFunctions() {}

  /**
   * The handlers' zip: their classes at the root, {@code aws-lambda-java-events} and its joda-time
   * under {@code lib/}.
   */
  static Archive codeZip() {
    Map<String, byte[]> entries = classes("io/lambdarun/local/javafn");
    entries.put("lib/aws-lambda-java-events.jar", read(jarOf(APIGatewayProxyRequestEvent.class)));
    entries.put("lib/joda-time.jar", read(jarOf(DateTime.class)));
    return Archive.ofBytes("java-code", zip(entries));
  }

  /** The handlers' classes as one jar, without their dependencies. */
  static Archive jar() {
    return Archive.ofBytes("java-code.jar", zip(classes("io/lambdarun/local/javafn")));
  }

  /** A layer holding {@link Salutation} in {@code java/lib/salutation.jar}. */
  static Archive layer() {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("java/lib/salutation.jar", zip(classes("io/lambdarun/local/javalayer")));
    return Archive.ofBytes("java-layer", zip(entries));
  }

  private static Map<String, byte[]> classes(String folder) {
    Path root = jarOf(PojoHandler.class);
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (Stream<Path> files = Files.walk(root.resolve(folder))) {
      files
          .filter(file -> file.toString().endsWith(".class"))
          .sorted()
          .forEach(file -> entries.put(root.relativize(file).toString(), read(file)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return entries;
  }

  private static Path jarOf(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] zip(Map<String, byte[]> entries) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(entry.getKey()));
        zip.write(entry.getValue());
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
