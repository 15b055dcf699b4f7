package io.lambdarun.local.javafn;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/** Throws: an Unhandled error with the Java type and stack trace. */
public class Failing implements RequestHandler<Map<String, String>, String> {
  @Override
  public String handleRequest(Map<String, String> event, Context context) {
    throw new IllegalStateException("no " + event.get("what"));
  }
}
