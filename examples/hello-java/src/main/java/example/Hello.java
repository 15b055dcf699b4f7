package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/** The Java example: handler {@code example.Hello::handleRequest} answers a greeting by name. */
public class Hello implements RequestHandler<Map<String, String>, Map<String, String>> {

  @Override
  public Map<String, String> handleRequest(Map<String, String> event, Context context) {
    String name = event == null ? "World" : event.getOrDefault("name", "World");
    context.getLogger().log("greeting " + name + " in request " + context.getAwsRequestId());
    return Map.of("message", "Hello, " + name + "!");
  }
}
