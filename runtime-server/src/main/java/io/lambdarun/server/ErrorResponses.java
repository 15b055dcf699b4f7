package io.lambdarun.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lambdarun.api.InvalidFunctionException;
import io.lambdarun.api.LambdaRunException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns failures into AWS's error answers: the error type in {@code x-amzn-ErrorType} and a JSON
 * body {@code {"Type":"User"|"Service","Message":...}}, which is what the AWS SDKs and the CLI
 * parse into their typed exceptions.
 */
final class ErrorResponses {

  private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private ErrorResponses() {}

  static ApiResponse from(Throwable failure) {
    ApiException error = classify(failure);
    ObjectNode body = JSON.createObjectNode();
    body.put("Type", error.status() >= 500 ? "Service" : "User");
    body.put("Message", error.getMessage());
    error.reason().ifPresent(reason -> body.put("Reason", reason));
    return new ApiResponse(
        error.status(),
        Map.of("x-amzn-ErrorType", error.errorType()),
        ApiResponse.JSON,
        Json.bytes(body));
  }

  private static ApiException classify(Throwable failure) {
    if (failure instanceof ApiException api) {
      return api;
    }
    if (failure instanceof InvalidFunctionException invalid) {
      int status = invalid.awsErrorCode().equals("RequestTooLargeException") ? 413 : 400;
      return new ApiException(status, invalid.awsErrorCode(), invalid.getMessage());
    }
    if (failure instanceof LambdaRunException lambdarun) {
      LOG.warn("answering ServiceException: {}", lambdarun.getMessage());
      return new ApiException(500, "ServiceException", lambdarun.getMessage());
    }
    LOG.error("unexpected failure, answering ServiceException", failure);
    return new ApiException(
        500,
        "ServiceException",
        "lambdarun failed unexpectedly ("
            + failure.getClass().getName()
            + "); see the server's"
            + " log and report this to lambdarun's maintainers");
  }
}
