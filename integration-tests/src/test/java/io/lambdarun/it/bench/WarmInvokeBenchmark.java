package io.lambdarun.it.bench;

final class WarmInvokeBenchmark {
  private WarmInvokeBenchmark() {}

  static void run(Bench.Report report) throws Exception {
    throw new UnsupportedOperationException("not written yet");
  }
}
