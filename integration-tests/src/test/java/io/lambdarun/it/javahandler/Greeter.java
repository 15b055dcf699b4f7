package io.lambdarun.it.javahandler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.lang.management.ManagementFactory;
import java.util.Map;

/**
 * The Java handler the tests run in the Java test image through AWS's runtime interface client:
 * greets the event's {@code name} and names the request id it saw; an event with {@code fail} makes
 * it throw, one with {@code jvmFlags} answers the JVM's command-line flags, one with {@code log}
 * logs two lines through the context's logger first. Compiled by Maven with the tests and zipped at
 * test time ({@link GreeterArchive}).
 */
public class Greeter implements RequestHandler<Map<String, Object>, String> {

  @Override
  public String handleRequest(Map<String, Object> event, Context context) {
    if (event.containsKey("fail")) {
      throw new IllegalStateException("planned failure for " + event.get("fail"));
    }
    if (event.containsKey("jvmFlags")) {
      return String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments());
    }
    if (event.containsKey("log")) {
      context.getLogger().log("first line of " + context.getAwsRequestId());
      context.getLogger().log("second line of " + context.getAwsRequestId());
    }
    return "Hello, " + event.get("name") + "! (request " + context.getAwsRequestId() + ")";
  }
}
