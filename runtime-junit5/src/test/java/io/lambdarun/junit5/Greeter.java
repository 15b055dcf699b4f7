package io.lambdarun.junit5;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/** A Java handler compiled in this module, run from the class path by the tests. */
public class Greeter implements RequestHandler<Map<String, String>, String> {

  @Override
  public String handleRequest(Map<String, String> event, Context context) {
    String name = event.getOrDefault("name", "World");
    context.getLogger().log("java greeting " + name + " in request " + context.getAwsRequestId());
    return "Hello, " + name + " from " + ProcessHandle.current().pid();
  }
}
