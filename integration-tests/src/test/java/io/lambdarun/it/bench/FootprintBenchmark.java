package io.lambdarun.it.bench;

final class FootprintBenchmark {
  private FootprintBenchmark() {}

  static void run(Bench.Report report) throws Exception {
    throw new UnsupportedOperationException("not written yet");
  }
}
