package io.lambdarun.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
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

  /** One entry of {@link #unixZip}: a file, a folder or a symbolic link with its Unix mode. */
  private record Entry(String name, String content, int mode) {
    static Entry file(String name, String content) {
      return new Entry(name, content, 0100644);
    }

    static Entry folder(String name) {
      return new Entry(name + "/", "", 0040755);
    }

    static Entry link(String name, String target) {
      return new Entry(name, target, 0120777);
    }
  }

  /** Zips entries in order, with their Unix modes in the central directory as Info-ZIP writes. */
  private static byte[] unixZip(Entry... entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Entry entry : entries) {
        zip.putNextEntry(new ZipEntry(entry.name()));
        zip.write(entry.content().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    }
    byte[] data = bytes.toByteArray();
    ByteBuffer buffer = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    int position = buffer.getInt(data.length - 22 + 16);
    for (Entry entry : entries) {
      data[position + 5] = 3; // made on Unix
      buffer.putInt(position + 38, entry.mode() << 16);
      position +=
          46
              + Short.toUnsignedInt(buffer.getShort(position + 28))
              + Short.toUnsignedInt(buffer.getShort(position + 30))
              + Short.toUnsignedInt(buffer.getShort(position + 32));
    }
    return data;
  }

  /** Returns the offset of a zip's central directory header number {@code index}. */
  private static int centralHeader(byte[] zip, int index) {
    ByteBuffer buffer = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
    int position = buffer.getInt(zip.length - 22 + 16);
    for (int i = 0; i < index; i++) {
      position +=
          46
              + Short.toUnsignedInt(buffer.getShort(position + 28))
              + Short.toUnsignedInt(buffer.getShort(position + 30))
              + Short.toUnsignedInt(buffer.getShort(position + 32));
    }
    return position;
  }

  /** Lists every path under a folder without following links. */
  private static List<String> tree(Path folder) throws IOException {
    try (Stream<Path> paths = Files.walk(folder)) {
      return paths.map(path -> folder.relativize(path).toString()).sorted().toList();
    }
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
    Files.setPosixFilePermissions(
        source.resolve("bootstrap"), PosixFilePermissions.fromString("rwxr-xr-x"));
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
    Archive first =
        Archive.ofBytes("layer1", zip("python/shared.py", "v = 1", "python/one.py", ""));
    Archive second = Archive.ofBytes("layer2", zip("python/shared.py", "v = 2"));
    first.extractTo(temp, ArchiveLimits.AWS);
    second.extractTo(temp, ArchiveLimits.AWS);
    assertThat(temp.resolve("python/shared.py")).hasContent("v = 2");
    assertThat(temp.resolve("python/one.py")).exists();
  }

  @Test
  void refusesAnEntryUnderALinkOfTheSameArchiveSoAChainCannotClimbOut() throws IOException {
    Archive chain =
        Archive.ofBytes(
            "chain",
            unixZip(
                Entry.link("a", "."),
                Entry.link("a/b", ".."),
                Entry.file("a/b/escaped.txt", "outside")));
    assertThatThrownBy(() -> chain.entries(ArchiveLimits.AWS))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessage(
            "archive 'chain' has an entry 'a/b' that needs 'a' to be a folder, but archive"
                + " 'chain' placed a symbolic link there; extraction never follows links, so put"
                + " the entry under a real folder");
    Path root = temp.resolve("root");
    assertThatThrownBy(() -> chain.extractTo(root, ArchiveLimits.AWS))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining("entry 'a/b' that needs 'a' to be a folder");
    assertThat(tree(temp)).containsExactly("", "root", "root/a");
  }

  @Test
  void refusesAnEntryUnderTheLastOfSeveralChainedLinks() throws IOException {
    Archive chain =
        Archive.ofBytes(
            "hops",
            unixZip(
                Entry.link("one", "."),
                Entry.link("two", "one"),
                Entry.link("three", "two"),
                Entry.link("three/up", ".."),
                Entry.file("three/up/escaped.txt", "outside")));
    assertThatThrownBy(() -> chain.extractTo(temp.resolve("root"), ArchiveLimits.AWS))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining("entry 'three/up' that needs 'three' to be a folder");
    assertThat(tree(temp)).containsExactly("", "root", "root/one", "root/three", "root/two");
  }

  @Test
  void refusesALinkWhoseTargetClimbsOutOfAnotherLink() throws IOException {
    for (String target : List.of("l/..", "l/../..", "real/../l/..", "./l/x/..")) {
      Archive archive =
          Archive.ofBytes(
              "climb",
              unixZip(Entry.link("l", "."), Entry.folder("real"), Entry.link("m", target)));
      assertThatThrownBy(() -> archive.entries(ArchiveLimits.AWS))
          .isInstanceOf(InvalidArchiveException.class)
          .hasMessage(
              "archive 'climb' has a symbolic link 'm' pointing to '"
                  + target
                  + "', whose '..'"
                  + " follows a name that may itself be a link; write the target with every '..'"
                  + " first (for example '../lib/x')");
    }
  }

  @Test
  void refusesAbsoluteAndClimbingLinkTargets() throws IOException {
    for (String target :
        List.of("/etc", "//etc/passwd", "../..", "../../x", "./../../x", "sub/../..")) {
      Archive archive = Archive.ofBytes("out", unixZip(Entry.link("sub/link", target)));
      assertThatThrownBy(() -> archive.entries(ArchiveLimits.AWS))
          .isInstanceOf(InvalidArchiveException.class)
          .hasMessageContaining("symbolic link 'sub/link' pointing to '" + target + "'");
    }
  }

  @Test
  void neverWritesThroughALinkAlreadyInTheDestination() throws IOException {
    Path outside = Files.createDirectories(temp.resolve("outside"));
    Path root = Files.createDirectories(temp.resolve("root"));
    Files.createSymbolicLink(root.resolve("a"), Path.of("../outside"));
    Archive archive = Archive.ofBytes("code", unixZip(Entry.file("a/escaped.txt", "outside")));
    assertThatThrownBy(() -> archive.extractTo(root, ArchiveLimits.AWS))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessage(
            "archive 'code' has an entry 'a/escaped.txt' that needs 'a' to be a folder, but it is a"
                + " symbolic link in '"
                + root
                + "'; extraction never follows links, so extract"
                + " into a folder free of links");
    Archive folder = Archive.ofBytes("code", unixZip(Entry.folder("a")));
    assertThatThrownBy(() -> folder.extractTo(root, ArchiveLimits.AWS))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining("entry 'a' that needs 'a' to be a folder");
    assertThat(tree(outside)).containsExactly("");
  }

  @Test
  void replacesALinkWhereAFileGoesInsteadOfWritingThroughIt() throws IOException {
    Path victim = Files.createDirectories(temp.resolve("outside")).resolve("victim");
    Files.writeString(victim, "kept");
    Path root = Files.createDirectories(temp.resolve("root"));
    Files.createSymbolicLink(root.resolve("f"), victim);
    Archive.ofBytes("code", unixZip(Entry.file("f", "new"))).extractTo(root, ArchiveLimits.AWS);
    assertThat(victim).hasContent("kept");
    assertThat(Files.isRegularFile(root.resolve("f"), LinkOption.NOFOLLOW_LINKS)).isTrue();
    assertThat(root.resolve("f")).hasContent("new");
  }

  @Test
  void refusesAFolderEntryWhereALinkWasPlaced() throws IOException {
    Archive archive =
        Archive.ofBytes(
            "code", unixZip(Entry.folder("sub"), Entry.link("a", "sub"), Entry.folder("a")));
    assertThatThrownBy(() -> archive.entries(ArchiveLimits.AWS))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining("entry 'a' that needs 'a' to be a folder, but archive 'code' placed");
  }

  @Test
  void refusesALinkWhereAFolderWasPlaced() throws IOException {
    Archive archive =
        Archive.ofBytes(
            "code",
            unixZip(
                Entry.folder("a"),
                Entry.folder("a/h1"),
                Entry.link("a", "."),
                Entry.link("a/h1", "..")));
    assertThatThrownBy(() -> archive.extractTo(temp.resolve("root"), ArchiveLimits.AWS))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessage(
            "archive 'code' has a symbolic link 'a' where archive 'code' placed a folder;"
                + " extraction never replaces a folder with a link, so remove the link or the"
                + " folder");
    List<Archive> layers =
        List.of(
            Archive.ofBytes("layer1", unixZip(Entry.file("python/lib/x.py", ""))),
            Archive.ofBytes("layer2", unixZip(Entry.link("python", "."))));
    assertThatThrownBy(() -> Archive.forEachEntry(layers, ArchiveLimits.AWS, (entry, in) -> {}))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining("symbolic link 'python' where archive 'layer1' placed a folder");
  }

  @Test
  void refusesAZipWhoseCentralDirectoryDisagreesWithItsEntries() throws IOException {
    byte[] renamed =
        unixZip(Entry.link("a", "."), Entry.link("a/b", ".."), Entry.file("a/b/c.txt", "x"));
    renamed[centralHeader(renamed, 0) + 46] = 'q'; // the central directory calls entry 1 'q'
    assertThatThrownBy(() -> Archive.ofBytes("renamed", renamed).entries(ArchiveLimits.AWS))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessage(
            "archive 'renamed' is corrupt (entry 1 is 'a' in its local header but 'q' in the"
                + " central directory); rebuild the zip file");

    byte[] shortened = unixZip(Entry.file("a.txt", "x"), Entry.file("b.txt", "y"));
    ByteBuffer buffer = ByteBuffer.wrap(shortened).order(ByteOrder.LITTLE_ENDIAN);
    buffer.putShort(shortened.length - 22 + 8, (short) 1); // entries on this disk
    buffer.putShort(shortened.length - 22 + 10, (short) 1); // entries in all
    buffer.putInt(centralHeader(shortened, 1), 0); // the central directory lists entry 1 only
    assertThatThrownBy(() -> Archive.ofBytes("shortened", shortened).entries(ArchiveLimits.AWS))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessage(
            "archive 'shortened' is corrupt (entry 2 'b.txt' is missing from the central"
                + " directory); rebuild the zip file");
  }

  @Test
  void keepsLinksThatStayInsideIncludingLinksToLinks() throws IOException {
    Archive archive =
        Archive.ofBytes(
            "code",
            unixZip(
                Entry.file("real/tool.sh", "echo hi"),
                Entry.link("lib", "real"),
                Entry.link("bin/tool", "../real/tool.sh"),
                Entry.link("latest", "bin/tool"),
                Entry.link("bin/deep/again", "../../lib/./tool.sh"),
                Entry.link("here", ".")));
    Path root = temp.resolve("root");
    archive.extractTo(root, ArchiveLimits.AWS);
    assertThat(root.resolve("latest")).hasContent("echo hi");
    assertThat(root.resolve("bin/deep/again")).hasContent("echo hi");
    assertThat(root.resolve("here/lib/tool.sh")).hasContent("echo hi");
    assertThat(archive.entries(ArchiveLimits.AWS)).hasSize(6);
  }

  @Test
  void refusesALayerEntryThatRunsThroughALinkOfAnEarlierLayer() throws IOException {
    List<Archive> layers =
        List.of(
            Archive.ofBytes("layer1", unixZip(Entry.link("a", "."))),
            Archive.ofBytes("layer2", unixZip(Entry.link("a/b", ".."))),
            Archive.ofBytes("layer3", unixZip(Entry.file("a/b/escaped.txt", "outside"))));
    for (Archive layer : layers) {
      assertThat(layer.entries(ArchiveLimits.AWS)).hasSize(1); // each is harmless alone
    }
    String refusal =
        "archive 'layer2' has an entry 'a/b' that needs 'a' to be a folder, but archive 'layer1'"
            + " placed a symbolic link there; extraction never follows links, so put the entry"
            + " under a real folder";
    assertThatThrownBy(() -> Archive.forEachEntry(layers, ArchiveLimits.AWS, (entry, in) -> {}))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessage(refusal);
    assertThatThrownBy(() -> Archive.extractTo(layers, temp.resolve("opt"), ArchiveLimits.AWS))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessage(refusal);
    assertThat(tree(temp)).containsExactly("", "opt", "opt/a");
  }

  @Test
  void laterLayersMayReplaceALinkOfAnEarlierLayer() throws IOException {
    List<Archive> layers =
        List.of(
            Archive.ofBytes(
                "layer1", unixZip(Entry.file("lib/v1.py", "1"), Entry.link("cur", "lib"))),
            Archive.ofBytes("layer2", unixZip(Entry.file("cur", "plain file now"))));
    Archive.extractTo(layers, temp.resolve("opt"), ArchiveLimits.AWS);
    assertThat(Files.isRegularFile(temp.resolve("opt/cur"), LinkOption.NOFOLLOW_LINKS)).isTrue();
    assertThat(temp.resolve("opt/cur")).hasContent("plain file now");
    assertThat(temp.resolve("opt/lib/v1.py")).hasContent("1");
  }
}
