package io.lambdarun.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lambdarun.api.ArchiveEntry;
import io.lambdarun.api.ArchiveLimits;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which class path entries become a handler's code, and how they are laid out. */
class ClassPathCodeTest {

  @TempDir Path dir;

  @AfterEach
  void clearProperty() {
    System.clearProperty(ClassPathCode.CLASS_PATH_KEY);
  }

  @Test
  void detectionKeepsDependenciesAndDropsTestOutputJUnitLambdarunAndTheRuntimeClient()
      throws IOException {
    Path root = Files.createDirectories(dir.resolve("target/classes"));
    Path testClasses = Files.createDirectories(dir.resolve("target/test-classes"));
    Path gradleTest = Files.createDirectories(dir.resolve("build/classes/java/test"));
    Path lambdarunFolder = Files.createDirectories(dir.resolve("core/target/classes/io/lambdarun"));
    Path sibling = Files.createDirectories(dir.resolve("sibling/target/classes/com/acme"));
    Path dependency = jar("gson.jar", "com/google/gson/Gson.class");
    Path junit = jar("junit-jupiter-api.jar", "org/junit/jupiter/api/Test.class");
    Path aggregator =
        jar("junit-jupiter.jar", "META-INF/maven/org.junit.jupiter/junit-jupiter/pom.xml");
    Path client =
        jar("ric.jar", "com/amazonaws/services/lambda/runtime/api/client/AWSLambda.class");
    String classPath =
        String.join(
            File.pathSeparator,
            testClasses.toString(),
            root.toString(),
            gradleTest.toString(),
            lambdarunFolder.getParent().getParent().toString(),
            sibling.getParent().getParent().toString(),
            dependency.toString(),
            junit.toString(),
            aggregator.toString(),
            client.toString(),
            dir.resolve("absent.jar").toString());

    assertThat(ClassPathCode.detected(classPath, root))
        .containsExactly(sibling.getParent().getParent(), dependency);
  }

  @Test
  void theHandlersClassesGoAtTheRootAndTheListedJarsUnderLib() throws IOException {
    Path folder = Files.createDirectories(dir.resolve("resources"));
    Files.writeString(folder.resolve("config.json"), "{}");
    Path dependency = jar("dep.jar", "com/acme/Dep.class");
    System.setProperty(ClassPathCode.CLASS_PATH_KEY, folder + File.pathSeparator + dependency);

    assertThat(ClassPathCode.of(Greeter.class).entries(ArchiveLimits.AWS))
        .extracting(ArchiveEntry::path)
        .contains("io/lambdarun/junit5/Greeter.class", "config.json", "lib/dep.jar")
        .noneMatch(path -> path.startsWith("lib/") && !path.equals("lib/dep.jar"));
  }

  @Test
  void anEmptyPropertyMeansNoDependencies() {
    System.setProperty(ClassPathCode.CLASS_PATH_KEY, "");

    assertThat(ClassPathCode.of(Greeter.class).entries(ArchiveLimits.AWS))
        .extracting(ArchiveEntry::path)
        .contains("io/lambdarun/junit5/Greeter.class")
        .noneMatch(path -> path.startsWith("lib/"));
  }

  @Test
  void aMissingEntryOfThePropertyIsRefusedNamingIt() {
    String missing = dir.resolve("missing.jar").toString();
    System.setProperty(ClassPathCode.CLASS_PATH_KEY, missing);

    assertThatThrownBy(() -> ClassPathCode.of(Greeter.class))
        .isInstanceOf(LambdaTestSetupException.class)
        .hasMessage(
            "class path entry '"
                + missing
                + "' of lambdarun.junit.class-path does not exist;"
                + " list existing folders and jars separated by '"
                + File.pathSeparator
                + "'");
  }

  @Test
  void aHandlerClassOfTheJdkHasNoCodeToTake() {
    assertThatThrownBy(() -> ClassPathCode.forHandler("java.lang.String::valueOf"))
        .isInstanceOf(LambdaTestSetupException.class)
        .hasMessage(
            "handler class 'java.lang.String' comes from 'null', which is not a folder or jar on"
                + " disk; compile the handler in this module or give the function its code as a"
                + " folder, zip or jar");
  }

  @Test
  void aHandlerClassWhoseSuperclassIsMissingIsRefusedNamingWhatIsMissing() throws IOException {
    Path sources = Files.createDirectories(dir.resolve("src"));
    Files.writeString(sources.resolve("Base.java"), "package q; public class Base {}");
    Files.writeString(sources.resolve("H.java"), "package p; public class H extends q.Base {}");
    Path classes = Files.createDirectories(dir.resolve("classes"));
    int status =
        ToolProvider.getSystemJavaCompiler()
            .run(
                null,
                null,
                null,
                "-d",
                classes.toString(),
                sources.resolve("Base.java").toString(),
                sources.resolve("H.java").toString());
    assertThat(status).isZero();
    Files.delete(classes.resolve("q/Base.class"));
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    try (URLClassLoader loader =
        new URLClassLoader(
            new URL[] {classes.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
      thread.setContextClassLoader(loader);

      assertThatThrownBy(() -> ClassPathCode.forHandler("p.H::handleRequest"))
          .isInstanceOf(LambdaTestSetupException.class)
          .hasMessage(
              "handler class 'p.H' cannot be loaded in the test JVM"
                  + " (java.lang.NoClassDefFoundError: q/Base); add what it needs to the test class"
                  + " path, for example aws-lambda-java-core");
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  private Path jar(String name, String entry) throws IOException {
    Path jar = dir.resolve(name);
    try (OutputStream out = Files.newOutputStream(jar);
        ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry(entry));
      zip.write(1);
      zip.closeEntry();
    }
    return jar;
  }
}
