package io.lambdarun.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import io.lambdarun.api.Archive;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.Owner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StagedCodeTest {

  private static final Owner OWNER = Owner.forCurrentProcess();

  @TempDir Path staging;
  @TempDir Path source;

  @Test
  void codeAndLayersAreMountedReadOnlyWithFoldersOpenToEveryoneAndFileModesKept()
      throws IOException {
    Path code = Files.createDirectories(source.resolve("code/pkg"));
    Files.writeString(code.resolve("secret.txt"), "x");
    Files.setPosixFilePermissions(
        code.resolve("secret.txt"), PosixFilePermissions.fromString("rw-r-----"));
    Files.setPosixFilePermissions(code, PosixFilePermissions.fromString("rwx------"));
    Path layer = Files.createDirectories(source.resolve("layer/python"));
    Files.writeString(layer.resolve("lib.py"), "y = 1\n");
    LaunchSpec spec =
        spec("python3.12")
            .code(Archive.ofDirectory("code", source.resolve("code")))
            .layers(List.of(Archive.ofDirectory("layer", source.resolve("layer"))))
            .build();

    StagedCode staged = StagedCode.stage(spec, staging, OWNER);

    assertThat(staged.mounts())
        .extracting(Mount::getType, Mount::getSource, Mount::getTarget, Mount::getReadOnly)
        .containsExactly(
            Tuple.tuple(MountType.BIND, staged + "/task", "/var/task", true),
            Tuple.tuple(MountType.BIND, staged + "/opt", "/opt", true));
    Path root = Path.of(staged.toString());
    assertThat(mode(root)).isEqualTo("rwxr-xr-x");
    assertThat(mode(root.resolve("task/pkg"))).isEqualTo("rwxr-xr-x");
    assertThat(mode(root.resolve("task/pkg/secret.txt"))).isEqualTo("rw-r-----");
    assertThat(root.resolve("opt/python/lib.py")).hasContent("y = 1");

    staged.delete();

    assertThat(root).doesNotExist();
  }

  @Test
  void aCustomRuntimesCodeAlsoReplacesVarRuntime() throws IOException {
    Files.writeString(
        Files.createDirectories(source.resolve("code")).resolve("bootstrap"), "#!/bin/sh\n");
    LaunchSpec spec =
        spec("provided.al2023").code(Archive.ofDirectory("code", source.resolve("code"))).build();

    StagedCode staged = StagedCode.stage(spec, staging, OWNER);

    assertThat(staged.mounts())
        .extracting(Mount::getTarget)
        .containsExactly("/var/task", "/var/runtime");
    staged.delete();
  }

  @Test
  void aSweepDeletesWhatDeadOwnersStagedAndKeepsTheLiving() throws IOException {
    Files.createDirectories(source.resolve("code"));
    LaunchSpec spec =
        spec("python3.12").code(Archive.ofDirectory("code", source.resolve("code"))).build();
    StagedCode mine = StagedCode.stage(spec, staging, OWNER);
    Process dead = new ProcessBuilder("true").start();
    dead.onExit().join();
    StagedCode orphan =
        StagedCode.stage(spec, staging, new Owner("lr-dead", dead.pid(), OWNER.host()));
    StagedCode elsewhere =
        StagedCode.stage(spec, staging, new Owner("lr-remote", dead.pid(), "another-host"));
    Files.setPosixFilePermissions(
        Path.of(orphan.toString(), "task"), PosixFilePermissions.fromString("r-x------"));

    int deleted = StagedCode.sweep(staging);

    assertThat(deleted).isEqualTo(1);
    assertThat(Path.of(orphan.toString())).doesNotExist();
    assertThat(Path.of(mine.toString())).exists();
    assertThat(Path.of(elsewhere.toString())).exists();
    mine.delete();
    elsewhere.delete();
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  private static LaunchSpec.Builder spec(String runtime) {
    return LaunchSpec.builder()
        .functionName("fn")
        .functionArn("arn:aws:lambda:us-east-1:000000000000:function:fn")
        .deployId("d1")
        .runtime(runtime)
        .handler("app.handler")
        .image("lambdarun/test-python:latest");
  }
}
