package io.lambdarun.local.javafn;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code RequestHandler} of maps. */
public class MapHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
  @Override
  public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
    Map<String, Object> result = new TreeMap<>();
    result.put("keys", List.copyOf(new TreeMap<>(event).keySet()));
    result.put("a", event.get("a"));
    return result;
  }
}
