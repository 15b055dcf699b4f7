package io.lambdarun.it.bench;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/**
 * The warm figure's echo handler for the {@code local-java} arm: answers {@code {"size":n}} for
 * {@code {"data":"<n characters>"}}, through AWS's runtime client's own (de)serialization.
 */
public class JavaEcho implements RequestHandler<Map<String, String>, Map<String, Integer>> {
  @Override
  public Map<String, Integer> handleRequest(Map<String, String> event, Context context) {
    return Map.of("size", event.getOrDefault("data", "").length());
  }
}
