package io.lambdarun.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lambdarun.api.Archive;
import io.lambdarun.api.ArchiveLimits;
import io.lambdarun.api.InvalidArchiveException;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.PackageType;
import io.lambdarun.tck.ArchiveEscapes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarStreamsTest {

  @TempDir Path folder;

  @Test
  void codeGoesToVarTaskKeepingModesAndLinks() throws IOException {
    Path code = folder.resolve("code");
    Files.createDirectories(code.resolve("lib"));
    Files.writeString(code.resolve("app.py"), "print(1)\n");
    Files.writeString(code.resolve("lib/run.sh"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(
        code.resolve("lib/run.sh"), PosixFilePermissions.fromString("rwxr-x---"));
    Files.createSymbolicLink(code.resolve("link.py"), Path.of("app.py"));

    Map<String, Entry> entries =
        read(spec("python3.12", Archive.ofDirectory("code", code)).build());

    assertThat(entries.keySet())
        .containsExactlyInAnyOrder(
            "var/task/",
            "var/task/app.py",
            "var/task/lib/",
            "var/task/lib/run.sh",
            "var/task/link.py");
    assertThat(entries.get("var/task/app.py").content()).isEqualTo("print(1)\n");
    assertThat(entries.get("var/task/lib/run.sh").mode() & 07777).isEqualTo(0750);
    assertThat(entries.get("var/task/link.py").linkTarget()).isEqualTo("app.py");
    assertThat(entries.get("var/task/link.py").symlink()).isTrue();
    assertThat(entries.values()).allSatisfy(entry -> assertThat(entry.uid()).isZero());
  }

  @Test
  void customRuntimesGetTheCodeInVarRuntimeToo() throws IOException {
    Archive code = zip(Map.of("bootstrap", "#!/bin/sh\n"));

    Map<String, Entry> entries = read(spec("provided.al2023", code).build());

    assertThat(entries).containsKeys("var/task/bootstrap", "var/runtime/bootstrap");
  }

  @Test
  void layersFollowTheCodeInAttachOrderSoLaterOnesOverwrite() throws IOException {
    Archive first = zip(Map.of("python/shared.py", "first", "python/only_first.py", "1"));
    Archive second = zip(Map.of("python/shared.py", "second"));

    List<String> names = new ArrayList<>();
    List<String> sharedContents = new ArrayList<>();
    try (TarArchiveInputStream tar =
        tarOf(spec("python3.12", zip(Map.of("a.py", ""))).layers(List.of(first, second)).build())) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        names.add(entry.getName());
        if (entry.getName().equals("opt/python/shared.py")) {
          sharedContents.add(new String(tar.readAllBytes(), StandardCharsets.UTF_8));
        }
      }
    }

    assertThat(names.indexOf("var/task/a.py"))
        .isLessThan(names.indexOf("opt/python/only_first.py"));
    assertThat(sharedContents).containsExactly("first", "second");
  }

  @Test
  void imageFunctionWithoutLayersHasNoFiles() {
    LaunchSpec spec = spec("", null).packageType(PackageType.IMAGE).handler("").build();
    assertThat(TarStreams.hasFiles(spec)).isFalse();
    assertThat(TarStreams.hasFiles(spec.toBuilder().layers(List.of(zip(Map.of("x", "")))).build()))
        .isTrue();
  }

  @Test
  void anArchiveBeyondTheLimitsIsRefused() {
    LaunchSpec spec =
        spec("python3.12", zip(Map.of("big.bin", "x".repeat(2048))))
            .archiveLimits(new ArchiveLimits(1024, 10))
            .build();
    assertThatThrownBy(() -> TarStreams.write(spec, new ByteArrayOutputStream()))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining("'code'");
  }

  @Test
  void archivesEscapingThroughLinksAreRefusedBeforeTheStreamHoldsTheirEntries() {
    for (ArchiveEscapes.Escape escape : ArchiveEscapes.all()) {
      LaunchSpec spec =
          spec("python3.12", escape.code().orElse(zip(Map.of("app.py", ""))))
              .layers(escape.layers())
              .build();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThatThrownBy(() -> TarStreams.write(spec, out))
          .as(escape.description())
          .isInstanceOf(InvalidArchiveException.class)
          .hasMessageContaining(escape.refusal());
      assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain(ArchiveEscapes.ESCAPED_FILE);
    }
  }

  private static LaunchSpec.Builder spec(String runtime, Archive code) {
    return LaunchSpec.builder()
        .functionName("fn")
        .functionArn("arn:aws:lambda:us-east-1:000000000000:function:fn")
        .deployId("d1")
        .runtime(runtime)
        .handler("app.handler")
        .image("lambdarun/test-python:latest")
        .code(code);
  }

  private static Archive zip(Map<String, String> files) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, String> file : new java.util.TreeMap<>(files).entrySet()) {
        zip.putNextEntry(new ZipEntry(file.getKey()));
        zip.write(file.getValue().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return Archive.ofBytes("code", bytes.toByteArray());
  }

  private static TarArchiveInputStream tarOf(LaunchSpec spec) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TarStreams.write(spec, out);
    return new TarArchiveInputStream(new ByteArrayInputStream(out.toByteArray()));
  }

  private static Map<String, Entry> read(LaunchSpec spec) throws IOException {
    Map<String, Entry> entries = new LinkedHashMap<>();
    try (TarArchiveInputStream tar = tarOf(spec)) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        entries.put(
            entry.getName(),
            new Entry(
                entry.getMode(),
                entry.isSymbolicLink(),
                entry.getLinkName(),
                entry.getLongUserId(),
                new String(tar.readAllBytes(), StandardCharsets.UTF_8)));
      }
    }
    return entries;
  }

  private record Entry(int mode, boolean symlink, String linkTarget, long uid, String content) {}
}
