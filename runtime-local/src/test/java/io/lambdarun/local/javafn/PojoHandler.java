package io.lambdarun.local.javafn;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;

/** {@code RequestHandler} of POJOs. */
public class PojoHandler implements RequestHandler<Person, Greeting> {
  @Override
  public Greeting handleRequest(Person person, Context context) {
    return new Greeting("Hello, " + person.getName() + "!");
  }
}
