package io.lambdarun.server;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One request of the Lambda API, read completely.
 *
 * @param pathParameters the names and numbers in the path, in order: a function; a layer and a
 *     version
 * @param query the query parameters, first value of each
 * @param headers the headers, first value of each, names case-insensitive
 * @param body the body, empty for none
 */
record ApiRequest(
    List<String> pathParameters,
    Map<String, String> query,
    Map<String, String> headers,
    byte[] body) {

  ApiRequest {
    pathParameters = List.copyOf(pathParameters);
    query = Map.copyOf(query);
    TreeMap<String, String> caseInsensitive = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    caseInsensitive.putAll(headers);
    headers = caseInsensitive;
  }

  Optional<String> header(String name) {
    return Optional.ofNullable(headers.get(name));
  }

  Optional<String> queryParameter(String name) {
    return Optional.ofNullable(query.get(name));
  }

  String pathParameter(int index) {
    return pathParameters.get(index);
  }

  /** The function named in the path, checked against the {@code Qualifier} query parameter. */
  FunctionRef ref() {
    return FunctionRef.parse(pathParameter(0), queryParameter("Qualifier"));
  }
}
