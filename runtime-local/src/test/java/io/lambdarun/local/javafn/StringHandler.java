package io.lambdarun.local.javafn;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Locale;

/** {@code RequestHandler} of strings. */
public class StringHandler implements RequestHandler<String, String> {
  @Override
  public String handleRequest(String text, Context context) {
    return text.toUpperCase(Locale.ROOT);
  }
}
