package io.lambdarun.local.javafn;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;

/** Its constructor throws: an init error. */
public class BrokenConstructor implements RequestHandler<String, String> {

  public BrokenConstructor() {
    throw new IllegalArgumentException("missing setting TABLE");
  }

  @Override
  public String handleRequest(String event, Context context) {
    return event;
  }
}
