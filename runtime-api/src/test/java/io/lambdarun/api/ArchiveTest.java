package io.lambdarun.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveTest {

  @TempDir Path temp;

  private static byte[] zip(String... namesAndContents) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (int i = 0; i < namesAndContents.length; i += 2) {
        zip.putNextEntry(new ZipEntry(namesAndContents[i]));
        zip.write(namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  @Test
  void extractsFilesAndFolders() throws IOException {
    Archive archive = Archive.ofBytes("code", zip("app.py", "print(1)", "pkg/mod.py", "x = 2"));
    archive.extractTo(temp, ArchiveLimits.AWS);
    assertThat(temp.resolve("app.py")).hasContent("print(1)");
    assertThat(temp.resolve("pkg/mod.py")).hasContent("x = 2");
    assertThat(archive.entries(ArchiveLimits.AWS))
        .extracting(ArchiveEntry::path)
        .containsExactly("app.py", "pkg/mod.py");
  }

  @Test
  void refusesZipSlipEntries() throws IOException {
    for (String evil : List.of("../evil.sh", "a/../../evil.sh", "/etc/passwd", "C:/x", "a/./b")) {
      Archive archive = Archive.ofBytes("code", zip("ok.txt", "fine", evil, "boom"));
      assertThatThrownBy(() -> archive.extractTo(temp.resolve("out"), ArchiveLimits.AWS))
          .isInstanceOf(InvalidArchiveException.class)
          .hasMessageContaining("'" + evil + "'")
          .hasMessageContaining("zip slip");
    }
    assertThat(temp.resolve("evil.sh")).doesNotExist();
  }

  @Test
  void refusesArchivesThatExpandBeyondTheLimit() throws IOException {
    Archive bomb = Archive.ofBytes("bomb", zip("zeros", "0".repeat(1_000_000)));
    assertThat(bomb.size()).isLessThan(10_000);
    assertThatThrownBy(() -> bomb.entries(new ArchiveLimits(100_000, 10)))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining("'bomb'")
        .hasMessageContaining("expands beyond 100000 bytes");
  }

  @Test
  void refusesTooManyEntries() throws IOException {
    Archive many = Archive.ofBytes("many", zip("a", "1", "b", "2", "c", "3"));
    assertThatThrownBy(() -> many.entries(new ArchiveLimits(1_000, 2)))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining("more than 2 entries");
  }

  @Test
  void refusesBytesThatAreNotAZip() {
    Archive corrupt = Archive.ofBytes("junk", "this is not a zip".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> corrupt.entries(ArchiveLimits.AWS))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining("'junk' is not a zip file");
  }

  @Test
  void refusesATruncatedZip() throws IOException {
    byte[] whole = zip("app.py", "print('hello')".repeat(50));
    byte[] truncated = java.util.Arrays.copyOf(whole, whole.length / 2);
    Archive corrupt = Archive.ofBytes("half", truncated);
    assertThatThrownBy(() -> corrupt.entries(ArchiveLimits.AWS))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining("'half'");
  }

  @Test
  void zipsAFolderKeepingModesAndLinksDeterministically() throws IOException {
    Path source = Files.createDirectories(temp.resolve("src"));
    Files.writeString(source.resolve("bootstrap"), "#!/bin/sh\necho hi\n");
    Files.setPosixFilePermissions(source.resolve("bootstrap"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createDirectories(source.resolve("lib"));
    Files.writeString(source.resolve("lib/data.txt"), "data");
    Files.createSymbolicLink(source.resolve("link.txt"), Path.of("lib/data.txt"));

    Archive archive = Archive.ofDirectory("code", source);
    assertThat(Archive.ofDirectory("again", source).sha256()).isEqualTo(archive.sha256());

    List<ArchiveEntry> entries = archive.entries(ArchiveLimits.AWS);
    assertThat(entries)
        .containsExactly(
            new ArchiveEntry("bootstrap", ArchiveEntry.Type.FILE, 0755, ""),
            new ArchiveEntry("lib", ArchiveEntry.Type.DIRECTORY, 0755, ""),
            new ArchiveEntry("lib/data.txt", ArchiveEntry.Type.FILE, 0644, ""),
            new ArchiveEntry("link.txt", ArchiveEntry.Type.SYMLINK, 0777, "lib/data.txt"));

    Path out = temp.resolve("out");
    archive.extractTo(out, ArchiveLimits.AWS);
    assertThat(Files.isExecutable(out.resolve("bootstrap"))).isTrue();
    assertThat(Files.readSymbolicLink(out.resolve("link.txt"))).isEqualTo(Path.of("lib/data.txt"));
    assertThat(out.resolve("link.txt")).hasContent("data");
  }

  @Test
  void refusesSymbolicLinksLeavingTheRoot() throws IOException {
    Path source = Files.createDirectories(temp.resolve("src"));
    Files.createSymbolicLink(source.resolve("escape"), Path.of("../../etc/passwd"));
    Archive archive = Archive.ofDirectory("code", source);
    assertThatThrownBy(() -> archive.extractTo(temp.resolve("out"), ArchiveLimits.AWS))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining("symbolic link 'escape' pointing to '../../etc/passwd'");
  }

  @Test
  void laterArchivesOverwriteEarlierFiles() throws IOException {
    Archive first = Archive.ofBytes("layer1", zip("python/shared.py", "v = 1", "python/one.py", ""));
    Archive second = Archive.ofBytes("layer2", zip("python/shared.py", "v = 2"));
    first.extractTo(temp, ArchiveLimits.AWS);
    second.extractTo(temp, ArchiveLimits.AWS);
    assertThat(temp.resolve("python/shared.py")).hasContent("v = 2");
    assertThat(temp.resolve("python/one.py")).exists();
  }
}
