package io.lambdarun.tck;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.lambdarun.api.Archive;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.Owner;
import io.lambdarun.api.PackageType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Builds the Python function the TCK launches: {@code tck.handler} from {@code tck.py}. */
public final class TckFunction {

  /** The handler of the TCK function. */
  public static final String HANDLER = "tck.handler";

  /** The runtime id the TCK function declares. */
  public static final String RUNTIME = "python3.12";

  private TckFunction() {}

  /**
   * Returns the code archive holding {@code tck.py}.
   *
   * @return a zip archive
   */
  public static Archive code() {
    try (InputStream source = TckFunction.class.getResourceAsStream("tck.py")) {
      if (source == null) {
        throw new IllegalStateException("tck.py is missing from the runtime-tck jar");
      }
      return zip("tck-code", Map.of("tck.py", new String(source.readAllBytes(), UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Returns the code of the TCK's custom runtime: an executable {@code bootstrap} that speaks the
   * Runtime API itself (answering {@code {"action":"where"}} with the folder it runs from, and any
   * other event with an {@code /error} of the event's {@code kind}), and a {@code data.txt} that is
   * not executable.
   *
   * @param folder an empty folder to lay the files out in
   * @return a folder archive, with the files' modes
   */
  public static Archive customRuntimeCode(Path folder) {
    try (InputStream source = TckFunction.class.getResourceAsStream("bootstrap.py")) {
      if (source == null) {
        throw new IllegalStateException("bootstrap.py is missing from the runtime-tck jar");
      }
      Path bootstrap = folder.resolve("bootstrap");
      Files.write(bootstrap, source.readAllBytes());
      Files.setPosixFilePermissions(bootstrap, PosixFilePermissions.fromString("rwxr-xr-x"));
      Path data = Files.writeString(folder.resolve("data.txt"), "not a program\n");
      Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rw-r--r--"));
      return Archive.ofDirectory("tck-custom-runtime", folder);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Returns a zip archive of text files, for code and layers.
   *
   * @param name the archive's name
   * @param files the files' paths in the archive and their UTF-8 contents
   * @return the archive
   */
  public static Archive zip(String name, Map<String, String> files) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, String> file : new TreeMap<>(files).entrySet()) {
        zip.putNextEntry(new ZipEntry(file.getKey()));
        zip.write(file.getValue().getBytes(UTF_8));
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Archive.ofBytes(name, bytes.toByteArray());
  }

  /**
   * Returns a launch spec for the TCK function, owned by {@code owner}, with a fresh deploy id.
   *
   * @param image the image that runs Python zip functions on the backend under test
   * @param owner the owner whose labels the instance carries
   * @return a pre-filled builder
   */
  public static LaunchSpec.Builder spec(String image, Owner owner) {
    String name = "tck-fn";
    Map<String, String> labels = owner.labels();
    labels.put(io.lambdarun.api.Labels.FUNCTION, name);
    String deployId = UUID.randomUUID().toString().replace("-", "");
    labels.put(io.lambdarun.api.Labels.DEPLOY_ID, deployId);
    return LaunchSpec.builder()
        .functionName(name)
        .functionArn("arn:aws:lambda:us-east-1:000000000000:function:" + name)
        .deployId(deployId)
        .packageType(PackageType.ZIP)
        .runtime(RUNTIME)
        .handler(HANDLER)
        .image(image)
        .code(code())
        .memoryMib(256)
        .timeout(Duration.ofSeconds(30))
        .putEnvironment("AWS_LAMBDA_FUNCTION_NAME", name)
        .putEnvironment("AWS_LAMBDA_FUNCTION_TIMEOUT", "30")
        .putEnvironment("AWS_REGION", "us-east-1")
        .labels(labels);
  }
}
