package io.lambdarun.it.bench;

final class KubernetesReadinessBenchmark {
  private KubernetesReadinessBenchmark() {}

  static void run(Bench.Report report) throws Exception {
    throw new UnsupportedOperationException("not written yet");
  }
}
