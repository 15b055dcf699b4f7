package io.lambdarun.it.bench;

final class ScalingBenchmark {
  private ScalingBenchmark() {}

  static void run(Bench.Report report) throws Exception {
    throw new UnsupportedOperationException("not written yet");
  }
}
