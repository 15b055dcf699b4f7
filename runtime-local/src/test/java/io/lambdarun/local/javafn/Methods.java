package io.lambdarun.local.javafn;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Handlers named {@code package.Class::method}, on a class that implements no interface. */
public class Methods {

  public String shout(String text) {
    return text.toUpperCase(Locale.ROOT) + "!";
  }

  public Map<String, Object> context(Map<String, Object> event, Context context) {
    LambdaLogger logger = context.getLogger();
    logger.log("logged through LambdaLogger for " + context.getAwsRequestId());
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("requestId", context.getAwsRequestId());
    fields.put("arn", context.getInvokedFunctionArn());
    fields.put("functionName", context.getFunctionName());
    fields.put("functionVersion", context.getFunctionVersion());
    fields.put("memory", context.getMemoryLimitInMB());
    fields.put("logGroup", context.getLogGroupName());
    fields.put("logStream", context.getLogStreamName());
    fields.put("remaining", context.getRemainingTimeInMillis());
    return fields;
  }
}
