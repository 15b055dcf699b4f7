package io.lambdarun.it.bench;

final class LocalColdStartBenchmark {
  private LocalColdStartBenchmark() {}

  static void run(Bench.Report report) throws Exception {
    throw new UnsupportedOperationException("not written yet");
  }
}
