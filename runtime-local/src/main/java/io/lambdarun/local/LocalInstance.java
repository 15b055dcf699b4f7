package io.lambdarun.local;

/**
 * What the local runtime keeps per instance.
 *
 * @param process its runtime process
 * @param files its folder
 * @param log the output its processes write
 * @param memory the peak memory of its process tree
 */
record LocalInstance(
    RuntimeProcess process, InstanceFiles files, OutputLog log, PeakMemory memory) {}
