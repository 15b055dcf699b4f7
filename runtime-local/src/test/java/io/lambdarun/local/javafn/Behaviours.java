package io.lambdarun.local.javafn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Handlers that sleep, exit the JVM, exhaust the heap or report how the JVM was started. */
public class Behaviours {

  public String sleep(Map<String, Integer> event) throws InterruptedException {
    Thread.sleep(event.get("millis"));
    return "slept";
  }

  public String halt(String event) {
    Runtime.getRuntime().halt(7);
    return "unreachable";
  }

  public int exhaustHeap(String event) {
    List<long[]> hog = new ArrayList<>();
    while (true) {
      hog.add(new long[1024 * 1024]);
    }
  }

  public Map<String, Object> jvm(String event) {
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("arguments", ManagementFactory.getRuntimeMXBean().getInputArguments());
    facts.put("specification", System.getProperty("java.specification.version"));
    facts.put("classPath", System.getProperty("java.class.path"));
    facts.put("workingDirectory", System.getProperty("user.dir"));
    facts.put("executionEnv", System.getenv("AWS_EXECUTION_ENV"));
    facts.put("handler", System.getenv("_HANDLER"));
    facts.put("nativeLibraries", mapped("libaws-lambda-jni"));
    return facts;
  }

  /** The files this JVM has mapped whose path contains a text, from /proc/self/maps. */
  private static List<String> mapped(String text) {
    try {
      return Files.readAllLines(Path.of("/proc/self/maps")).stream()
          .filter(line -> line.contains(text))
          .map(line -> line.substring(line.indexOf('/')))
          .distinct()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
