package io.lambdarun.server;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * One operation of the Lambda API matched from a request's method and path.
 *
 * @param pathParameters the names and numbers in the path, in order
 * @param maxBody the largest body accepted, in bytes
 * @param tooLarge the error answered for a larger body
 * @param handler runs the operation
 */
record Route(
    List<String> pathParameters,
    int maxBody,
    ApiException tooLarge,
    Function<ApiRequest, ApiResponse> handler) {

  /** The path prefix of the function operations of API version 2015-03-31. */
  static final String FUNCTIONS = "/2015-03-31/functions";

  /** Lambda's limit for a CreateFunction or UpdateFunctionCode request, in bytes. */
  static final int MAX_CODE_REQUEST = 69_905_067;

  /** The path prefix of the layer operations of API version 2018-10-31. */
  static final String LAYERS = "/2018-10-31/layers/";

  /** The prefix of Put- and DeleteFunctionConcurrency. */
  static final String CONCURRENCY_2017 = "/2017-10-31/functions/";

  /** The prefix of GetFunctionConcurrency and the provisioned concurrency operations. */
  static final String CONCURRENCY_2019 = "/2019-09-30/functions/";

  /** The path prefix of InvokeWithResponseStream, of API version 2021-11-15. */
  static final String STREAMING = "/2021-11-15/functions/";

  /** Matches a request; empty when the API has no such operation. */
  static Optional<Route> match(
      String method,
      String path,
      FunctionOperations functions,
      InvokeOperation invoke,
      LayerOperations layers) {
    if (path.startsWith(LAYERS)) {
      return layerRoute(method, path.substring(LAYERS.length()).split("/", -1), layers);
    }
    if (path.startsWith(STREAMING)) {
      return streamingRoute(method, path.substring(STREAMING.length()).split("/", -1), invoke);
    }
    if (path.startsWith(CONCURRENCY_2017) || path.startsWith(CONCURRENCY_2019)) {
      return concurrencyRoute(method, path, functions);
    }
    if (!path.startsWith(FUNCTIONS)) {
      return Optional.empty();
    }
    String rest = path.substring(FUNCTIONS.length());
    if (rest.isEmpty() || rest.equals("/")) {
      return switch (method) {
        case "GET" -> Optional.of(plain("ListFunctions", List.of(), functions::list));
        case "POST" -> Optional.of(plain("CreateFunction", List.of(), functions::create));
        default -> Optional.empty();
      };
    }
    String[] parts = rest.substring(1).split("/", -1);
    if (parts.length > 2 || parts[0].isEmpty()) {
      return Optional.empty();
    }
    List<String> name = List.of(parts[0]);
    String key = method + " " + (parts.length == 2 ? parts[1] : "");
    return switch (key) {
      case "GET " -> Optional.of(plain("GetFunction", name, functions::get));
      case "DELETE " -> Optional.of(plain("DeleteFunction", name, functions::delete));
      case "GET configuration" ->
          Optional.of(plain("GetFunctionConfiguration", name, functions::getConfiguration));
      case "PUT configuration" ->
          Optional.of(plain("UpdateFunctionConfiguration", name, functions::updateConfiguration));
      case "PUT code" -> Optional.of(plain("UpdateFunctionCode", name, functions::updateCode));
      case "POST versions" -> Optional.of(plain("PublishVersion", name, functions::publishVersion));
      case "GET versions" ->
          Optional.of(plain("ListVersionsByFunction", name, functions::listVersions));
      case "POST invocations" ->
          Optional.of(
              new Route(
                  name,
                  InvokeOperation.MAX_SYNC_PAYLOAD,
                  InvokeOperation.tooLarge(InvokeOperation.MAX_SYNC_PAYLOAD),
                  invoke::invoke));
      default -> Optional.empty();
    };
  }

  /** {@code {name}/response-streaming-invocations}. */
  private static Optional<Route> streamingRoute(
      String method, String[] parts, InvokeOperation invoke) {
    if (!method.equals("POST")
        || parts.length != 2
        || parts[0].isEmpty()
        || !parts[1].equals("response-streaming-invocations")) {
      return Optional.empty();
    }
    return Optional.of(
        new Route(
            List.of(parts[0]),
            InvokeOperation.MAX_SYNC_PAYLOAD,
            InvokeOperation.tooLarge(InvokeOperation.MAX_SYNC_PAYLOAD),
            invoke::invokeWithResponseStream));
  }

  /**
   * {@code {name}/concurrency}, whose API version differs by operation, and {@code
   * {name}/provisioned-concurrency} (2019-09-30).
   */
  private static Optional<Route> concurrencyRoute(
      String method, String path, FunctionOperations functions) {
    String[] parts = path.substring(CONCURRENCY_2017.length()).split("/", -1);
    if (parts.length != 2 || parts[0].isEmpty()) {
      return Optional.empty();
    }
    List<String> name = List.of(parts[0]);
    boolean v2017 = path.startsWith(CONCURRENCY_2017);
    if (!v2017 && parts[1].equals("provisioned-concurrency")) {
      return switch (method) {
        case "PUT" ->
            Optional.of(plain("PutProvisionedConcurrencyConfig", name, functions::putProvisioned));
        case "GET" ->
            Optional.of(plain("GetProvisionedConcurrencyConfig", name, functions::getProvisioned));
        case "DELETE" ->
            Optional.of(
                plain("DeleteProvisionedConcurrencyConfig", name, functions::deleteProvisioned));
        default -> Optional.empty();
      };
    }
    if (!parts[1].equals("concurrency")) {
      return Optional.empty();
    }
    String key = method + " " + (v2017 ? "2017" : "2019");
    return switch (key) {
      case "PUT 2017" ->
          Optional.of(plain("PutFunctionConcurrency", name, functions::putConcurrency));
      case "DELETE 2017" ->
          Optional.of(plain("DeleteFunctionConcurrency", name, functions::deleteConcurrency));
      case "GET 2019" ->
          Optional.of(plain("GetFunctionConcurrency", name, functions::getConcurrency));
      default -> Optional.empty();
    };
  }

  /** {@code {name}/versions} and {@code {name}/versions/{number}}. */
  private static Optional<Route> layerRoute(String method, String[] parts, LayerOperations layers) {
    if (parts.length < 2
        || parts.length > 3
        || parts[0].isEmpty()
        || !parts[1].equals("versions")) {
      return Optional.empty();
    }
    if (parts.length == 2) {
      List<String> name = List.of(parts[0]);
      return switch (method) {
        case "GET" -> Optional.of(plain("ListLayerVersions", name, layers::list));
        case "POST" -> Optional.of(plain("PublishLayerVersion", name, layers::publish));
        default -> Optional.empty();
      };
    }
    List<String> version = List.of(parts[0], parts[2]);
    return switch (method) {
      case "GET" -> Optional.of(plain("GetLayerVersion", version, layers::get));
      case "DELETE" -> Optional.of(plain("DeleteLayerVersion", version, layers::delete));
      default -> Optional.empty();
    };
  }

  private static Route plain(
      String operation, List<String> pathParameters, Function<ApiRequest, ApiResponse> handler) {
    return new Route(
        pathParameters,
        MAX_CODE_REQUEST,
        new ApiException(
            413,
            "RequestEntityTooLargeException",
            "Request must be smaller than "
                + MAX_CODE_REQUEST
                + " bytes for the "
                + operation
                + " operation"),
        handler);
  }
}
