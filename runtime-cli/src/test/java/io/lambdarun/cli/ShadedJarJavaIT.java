package io.lambdarun.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged command ({@code target/lambdarun.jar}, shaded) runs a Java function whose JVM gets
 * AWS's runtime client alone, not all of lambdarun.
 */
class ShadedJarJavaIT {

  @TempDir Path temp;

  @Test
  void aJavaFunctionsClassPathHoldsOnlyTheClientAndItsCode() throws Exception {
    Path shaded = Path.of("target/lambdarun.jar").toAbsolutePath();
    assertThat(shaded).isRegularFile();
    Path jar = temp.resolve("handler.jar");
    String entry = JarHandler.class.getName().replace('.', '/') + ".class";
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
        InputStream in = JarHandler.class.getResourceAsStream("/" + entry)) {
      out.putNextEntry(new JarEntry(entry));
      in.transferTo(out);
      out.closeEntry();
    }
    Path output = temp.resolve("out.txt");
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                shaded.toString(),
                "invoke",
                "--backend",
                "local",
                "--runtime",
                "java21",
                "--handler",
                JarHandler.class.getName() + "::classPath",
                "--code",
                jar.toString(),
                "--payload",
                "\"x\"")
            .redirectErrorStream(false)
            .redirectOutput(output.toFile())
            .redirectError(temp.resolve("err.txt").toFile())
            .start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(read(temp.resolve("err.txt"))).isZero();
    String answer = read(output).strip();
    List<String> classPath = List.of(answer.substring(1, answer.length() - 1).split(":"));
    assertThat(classPath).hasSize(2);
    assertThat(classPath.get(0)).endsWith("/runtime/aws-lambda-java-runtime-interface-client.jar");
    assertThat(classPath.get(1)).endsWith("/task");
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }
}
