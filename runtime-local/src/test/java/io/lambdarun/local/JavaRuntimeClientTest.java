package io.lambdarun.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lambdarun.api.RuntimeUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Security;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JavaRuntimeClientTest {

  @TempDir Path folder;

  @Test
  void theClientAndItsDependenciesAreFoundAsTheirJarsOnly() throws IOException {
    JavaRuntimeClient client = JavaRuntimeClient.locate();
    assertThat(client.shaded()).isFalse();
    assertThat(client.classPath(folder)).isEqualTo(client.jars());
    assertThat(client.jars())
        .extracting(path -> path.getFileName().toString())
        .satisfiesExactly(
            ric -> assertThat(ric).startsWith("aws-lambda-java-runtime-interface-client-"),
            core -> assertThat(core).startsWith("aws-lambda-java-core-"),
            serialization -> assertThat(serialization).startsWith("aws-lambda-java-serialization-"),
            utils -> assertThat(utils).startsWith("utils-lite-"));
    assertThat(client.jars()).allMatch(Files::isRegularFile);
    assertThat(folder).isEmptyDirectory();
  }

  @Test
  void fromAShadedJarOnlyTheClientsEntriesAreCopied() throws IOException {
    Path shaded = folder.resolve("lambdarun.jar");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(shaded))) {
      for (String name :
          List.of(
              "META-INF/MANIFEST.MF",
              "io/lambdarun/local/LocalRuntimeProvider.class",
              "org/slf4j/Logger.class",
              "com/fasterxml/jackson/databind/ObjectMapper.class",
              "com/amazonaws/services/lambda/runtime/api/client/AWSLambda.class",
              "com/amazonaws/lambda/thirdparty/com/fasterxml/jackson/core/JsonFactory.class",
              "software/amazon/awssdk/utilslite/SdkInternalThreadLocal.class",
              "META-INF/versions/11/com/amazonaws/lambda/thirdparty/Versioned.class",
              "META-INF/versions/11/com/fasterxml/jackson/core/io/Versioned.class",
              "META-INF/services/com.amazonaws.lambda.thirdparty.com.fasterxml.jackson.core"
                  + ".JsonFactory",
              "META-INF/services/io.lambdarun.api.ContainerRuntimeProvider")) {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(name.getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    }
    Path copy = folder.resolve("client.jar");
    JavaRuntimeClient.copyClientEntries(shaded, copy);
    try (JarFile jar = new JarFile(copy.toFile())) {
      assertThat(jar.stream().map(JarEntry::getName))
          .containsExactlyInAnyOrder(
              "META-INF/MANIFEST.MF",
              "com/amazonaws/services/lambda/runtime/api/client/AWSLambda.class",
              "com/amazonaws/lambda/thirdparty/com/fasterxml/jackson/core/JsonFactory.class",
              "software/amazon/awssdk/utilslite/SdkInternalThreadLocal.class",
              "META-INF/versions/11/com/amazonaws/lambda/thirdparty/Versioned.class",
              "META-INF/services/com.amazonaws.lambda.thirdparty.com.fasterxml.jackson.core"
                  + ".JsonFactory");
      assertThat(jar.isMultiRelease()).isTrue();
      JarEntry client =
          jar.getJarEntry("com/amazonaws/services/lambda/runtime/api/client/AWSLambda.class");
      try (InputStream bytes = jar.getInputStream(client)) {
        assertThat(new String(bytes.readAllBytes(), StandardCharsets.UTF_8))
            .isEqualTo("com/amazonaws/services/lambda/runtime/api/client/AWSLambda.class");
      }
    }
  }

  @Test
  void usingTheClientHereDoesNotRunItsStaticInitializer() throws IOException {
    JavaRuntimeClient.locate().writeNativeLibrary(folder);
    // the client's initializer replaces this JVM-wide property with a list of its own
    assertThat(Security.getProperty("jdk.tls.disabledAlgorithms"))
        .contains("TLSv1.1")
        .doesNotStartWith("SSLv3, RC4, MD5withRSA");
  }

  @Test
  void theJniLibraryOfThisPlatformIsWrittenWhereAsked() throws IOException {
    Path library = JavaRuntimeClient.locate().writeNativeLibrary(folder);
    assertThat(library).isEqualTo(folder.resolve("libaws-lambda-jni.so"));
    byte[] written = Files.readAllBytes(library);
    assertThat(Arrays.copyOf(written, 4)).containsExactly(0x7f, 'E', 'L', 'F');
    String name =
        JavaRuntimeClient.nativeLibraryName(
            System.getProperty("os.name"), System.getProperty("os.arch"), false);
    try (InputStream bundled =
        Class.forName(JavaRuntimeClient.MAIN_CLASS, false, getClass().getClassLoader())
            .getResourceAsStream("/jni/" + name)) {
      assertThat(written).isEqualTo(bundled.readAllBytes());
    } catch (ClassNotFoundException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void theLibraryNameFollowsTheArchitectureAndTheCLibrary() {
    assertThat(JavaRuntimeClient.nativeLibraryName("Linux", "amd64", false))
        .isEqualTo("libaws-lambda-jni.linux-x86_64.so");
    assertThat(JavaRuntimeClient.nativeLibraryName("Linux", "aarch64", false))
        .isEqualTo("libaws-lambda-jni.linux-aarch_64.so");
    assertThat(JavaRuntimeClient.nativeLibraryName("Linux", "x86_64", true))
        .isEqualTo("libaws-lambda-jni.linux_musl-x86_64.so");
  }

  @Test
  void otherSystemsAndArchitecturesHaveNoLibraryAndSayWhatToDo() {
    assertThatThrownBy(() -> JavaRuntimeClient.nativeLibraryName("Mac OS X", "aarch64", false))
        .isInstanceOf(RuntimeUnavailableException.class)
        .hasMessage(
            "AWS's Java runtime interface client bundles its JNI library for Linux on x86_64 and"
                + " aarch64 only, not for 'Mac OS X' on 'aarch64'; run java* functions on a"
                + " container backend such as 'docker'");
    assertThatThrownBy(() -> JavaRuntimeClient.nativeLibraryName("Linux", "ppc64le", false))
        .hasMessageContaining("not for 'Linux' on 'ppc64le'");
  }

  @Test
  void javaRuntimeIdsNameTheirVersion() {
    assertThat(JavaLauncher.major("java8.al2")).isEqualTo(8);
    assertThat(JavaLauncher.major("java11")).isEqualTo(11);
    assertThat(JavaLauncher.major("java17.al2023")).isEqualTo(17);
    assertThat(JavaLauncher.major("java25")).isEqualTo(25);
    assertThat(JavaLauncher.major("javascript")).isEqualTo(-1);
    assertThat(JavaLauncher.major("java")).isEqualTo(-1);
  }
}
