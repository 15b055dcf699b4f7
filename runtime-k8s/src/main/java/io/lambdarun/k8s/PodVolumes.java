package io.lambdarun.k8s;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.lambdarun.api.Archive;
import io.lambdarun.api.ArchiveLimits;
import io.lambdarun.api.LaunchSpec;
import io.lambdarun.api.PackageType;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/** The pod's {@code emptyDir} volumes, the containers' mounts and their ephemeral storage. */
final class PodVolumes {

  /** Where the init container stages each zip before unzipping it. */
  static final String STAGING_DIR = "/lambdarun-staging";

  private static final int TMP_FLOOR_MIB = 64;
  private static final long MIB = 1024 * 1024;

  private static final String TASK = "lambdarun-task";
  private static final String OPT = "lambdarun-opt";
  private static final String TMP = "lambdarun-tmp";
  private static final String RUNTIME = "lambdarun-runtime";
  private static final String STAGING = "lambdarun-staging";

  private PodVolumes() {}

  /**
   * Returns the pod's volumes: code and layers as the launch needs them, a disk-backed {@code /tmp}
   * limited to the function's ephemeral storage, and the staging volume when there is an init
   * container.
   */
  static List<Volume> volumes(LaunchSpec spec, boolean custom) {
    boolean zip = spec.packageType() == PackageType.ZIP;
    List<Volume> volumes = new ArrayList<>();
    if (zip) {
      volumes.add(emptyDir(TASK));
    }
    if (zip || !spec.layers().isEmpty()) {
      volumes.add(emptyDir(OPT));
    }
    // disk, not medium Memory: a tmpfs would count against the container's memory limit
    volumes.add(
        new VolumeBuilder()
            .withName(TMP)
            .withNewEmptyDir()
            .withSizeLimit(new Quantity(tmpMib(spec) + "Mi"))
            .endEmptyDir()
            .build());
    if (custom) {
      volumes.add(emptyDir(RUNTIME));
    }
    if (PodSpecFactory.needsInit(spec)) {
      volumes.add(emptyDir(STAGING));
    }
    return volumes;
  }

  /**
   * The main container's mounts: the code and layers read-only, as on Lambda; {@code /tmp} is its
   * only writable path.
   */
  static List<VolumeMount> mainMounts(LaunchSpec spec, boolean custom) {
    List<VolumeMount> mounts = sharedMounts(spec, true);
    mounts.add(mount(TMP, "/tmp", false));
    if (custom) {
      mounts.add(mount(RUNTIME, "/var/runtime", true));
    }
    return mounts;
  }

  /** The init container's mounts: the code, layer and staging volumes, writable. */
  static List<VolumeMount> initMounts(LaunchSpec spec, boolean custom) {
    List<VolumeMount> mounts = sharedMounts(spec, false);
    if (custom) {
      mounts.add(mount(RUNTIME, "/var/runtime", false));
    }
    mounts.add(mount(STAGING, STAGING_DIR, false));
    return mounts;
  }

  /**
   * Returns the ephemeral storage the volumes take, in MiB: {@code /tmp} and what the init
   * container writes into them.
   *
   * @throws io.lambdarun.api.InvalidArchiveException if the code or a layer is unsafe, corrupt or
   *     beyond the spec's archive limits
   */
  static long storageMib(LaunchSpec spec, boolean custom) {
    return tmpMib(spec) + mib(stagedBytes(spec, custom));
  }

  private static int tmpMib(LaunchSpec spec) {
    return Math.max(spec.ephemeralStorageMib(), TMP_FLOOR_MIB);
  }

  /**
   * The code and layer volumes both containers mount. An image function keeps its own {@code
   * /var/task} (its code is there); it gets an {@code /opt} volume only when it has layers, which
   * then hides the image's own {@code /opt}.
   */
  private static List<VolumeMount> sharedMounts(LaunchSpec spec, boolean readOnly) {
    List<VolumeMount> mounts = new ArrayList<>();
    if (spec.packageType() == PackageType.ZIP) {
      mounts.add(mount(TASK, "/var/task", readOnly));
    }
    if (spec.packageType() == PackageType.ZIP || !spec.layers().isEmpty()) {
      mounts.add(mount(OPT, "/opt", readOnly));
    }
    return mounts;
  }

  /**
   * Returns what the init container writes into the pod's volumes, which count against the pod's
   * ephemeral storage: the code (twice for custom runtimes) and every layer, expanded, plus the
   * largest zip while it is staged. Walking the archives also checks them against {@link
   * LaunchSpec#archiveLimits()}.
   */
  private static long stagedBytes(LaunchSpec spec, boolean custom) {
    long bytes = 0;
    long largestZip = 0;
    if (spec.code().isPresent()) {
      Archive code = spec.code().get();
      bytes += expandedBytes(code, spec.archiveLimits()) * (custom ? 2 : 1);
      largestZip = code.size();
    }
    for (Archive layer : spec.layers()) {
      largestZip = Math.max(largestZip, layer.size());
    }
    // the layers are unzipped one after the other into /opt, so they are checked together
    return bytes + expandedBytes(spec.layers(), spec.archiveLimits()) + largestZip;
  }

  private static long expandedBytes(Archive archive, ArchiveLimits limits) {
    return expandedBytes(List.of(archive), limits);
  }

  private static long expandedBytes(List<Archive> archives, ArchiveLimits limits) {
    long[] bytes = {0};
    Archive.forEachEntry(
        archives,
        limits,
        (entry, content) -> bytes[0] += content.transferTo(OutputStream.nullOutputStream()));
    return bytes[0];
  }

  private static long mib(long bytes) {
    return (bytes + MIB - 1) / MIB;
  }

  private static Volume emptyDir(String name) {
    return new VolumeBuilder().withName(name).withNewEmptyDir().endEmptyDir().build();
  }

  private static VolumeMount mount(String volume, String path, boolean readOnly) {
    return new VolumeMountBuilder()
        .withName(volume)
        .withMountPath(path)
        .withReadOnly(readOnly ? Boolean.TRUE : null)
        .build();
  }
}
