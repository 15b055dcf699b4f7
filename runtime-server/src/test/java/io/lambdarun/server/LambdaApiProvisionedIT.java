package io.lambdarun.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.lambdarun.core.WarmInstance;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.GetProvisionedConcurrencyConfigResponse;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.ListProvisionedConcurrencyConfigsResponse;
import software.amazon.awssdk.services.lambda.model.ProvisionedConcurrencyConfigListItem;
import software.amazon.awssdk.services.lambda.model.ProvisionedConcurrencyConfigNotFoundException;
import software.amazon.awssdk.services.lambda.model.ProvisionedConcurrencyStatusEnum;
import software.amazon.awssdk.services.lambda.model.PutProvisionedConcurrencyConfigResponse;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.Runtime;

/**
 * Provisioned concurrency through the AWS SDK for Java v2 on the local backend: AWS's shapes and
 * errors, and a provisioned version whose instances are up before its first invocation.
 */
class LambdaApiProvisionedIT {

  private static final String ARN = "arn:aws:lambda:us-east-1:000000000000:function:provisioned";

  private static TestServer server;
  private static LambdaClient lambda;

  @BeforeAll
  static void start() {
    server = TestServer.local(TestServer.options());
    lambda = server.lambda();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static List<WarmInstance> warm(String version) {
    return server.runtime().warmInstances().stream()
        .filter(instance -> instance.functionName().equals("provisioned"))
        .filter(instance -> instance.version().equals(version))
        .toList();
  }

  private static GetProvisionedConcurrencyConfigResponse awaitReady() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    GetProvisionedConcurrencyConfigResponse config = get("1");
    while (config.status() != ProvisionedConcurrencyStatusEnum.READY
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
      config = get("1");
    }
    return config;
  }

  private static GetProvisionedConcurrencyConfigResponse get(String qualifier) {
    return lambda.getProvisionedConcurrencyConfig(
        r -> r.functionName("provisioned").qualifier(qualifier));
  }

  @Test
  void aProvisionedVersionIsUpBeforeItsFirstInvocationAndAnsweredAsAwsDoes() throws Exception {
    lambda.createFunction(
        r ->
            r.functionName("provisioned")
                .runtime(Runtime.PYTHON3_12)
                .handler("app.handler")
                .role(TestServer.ROLE)
                .publish(true)
                .code(c -> c.zipFile(SdkBytes.fromByteArray(Zips.python("    return 'up'")))));
    try {
      ProvisionedConcurrencyConfigNotFoundException none =
          catchThrowableOfType(ProvisionedConcurrencyConfigNotFoundException.class, () -> get("1"));
      assertThat(none.statusCode()).isEqualTo(404);
      assertThat(none.awsErrorDetails().errorMessage())
          .isEqualTo("No Provisioned Concurrency Config found for this function");
      InvalidParameterValueException latest =
          catchThrowableOfType(
              InvalidParameterValueException.class,
              () ->
                  lambda.putProvisionedConcurrencyConfig(
                      r ->
                          r.functionName("provisioned")
                              .qualifier("$LATEST")
                              .provisionedConcurrentExecutions(1)));
      assertThat(latest.awsErrorDetails().errorMessage())
          .isEqualTo(
              "Provisioned Concurrency Configs cannot be applied to unpublished function"
                  + " versions.");
      ResourceNotFoundException alias =
          catchThrowableOfType(ResourceNotFoundException.class, () -> get("live"));
      assertThat(alias.awsErrorDetails().errorMessage())
          .isEqualTo("Cannot find alias arn: " + ARN + ":live");
      ResourceNotFoundException version =
          catchThrowableOfType(ResourceNotFoundException.class, () -> get("7"));
      assertThat(version.awsErrorDetails().errorMessage())
          .isEqualTo("Function not found: " + ARN + ":7");

      PutProvisionedConcurrencyConfigResponse put =
          lambda.putProvisionedConcurrencyConfig(
              r -> r.functionName("provisioned").qualifier("1").provisionedConcurrentExecutions(2));
      assertThat(put.sdkHttpResponse().statusCode()).isEqualTo(202);
      assertThat(put.requestedProvisionedConcurrentExecutions()).isEqualTo(2);
      assertThat(put.status()).isEqualTo(ProvisionedConcurrencyStatusEnum.IN_PROGRESS);
      assertThat(put.allocatedProvisionedConcurrentExecutions()).isZero();
      assertThat(put.lastModified()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\+0000");

      GetProvisionedConcurrencyConfigResponse ready = awaitReady();
      assertThat(ready.status()).isEqualTo(ProvisionedConcurrencyStatusEnum.READY);
      assertThat(ready.availableProvisionedConcurrentExecutions()).isEqualTo(2);
      assertThat(ready.allocatedProvisionedConcurrentExecutions()).isEqualTo(2);
      List<String> ahead = warm("1").stream().map(WarmInstance::instanceId).toList();
      assertThat(ahead).hasSize(2);

      assertThat(
              lambda
                  .invoke(r -> r.functionName("provisioned").qualifier("1"))
                  .payload()
                  .asUtf8String())
          .isEqualTo("\"up\"");
      assertThat(warm("1"))
          .as("the invocation ran on an instance launched ahead")
          .extracting(WarmInstance::instanceId)
          .containsExactlyInAnyOrderElementsOf(ahead);
      lambda.updateFunctionConfiguration(r -> r.functionName("provisioned").description("two"));
      assertThat(lambda.publishVersion(r -> r.functionName("provisioned")).version())
          .isEqualTo("2");
      lambda.putProvisionedConcurrencyConfig(
          r -> r.functionName("provisioned").qualifier("2").provisionedConcurrentExecutions(1));
      ListProvisionedConcurrencyConfigsResponse page =
          lambda.listProvisionedConcurrencyConfigs(r -> r.functionName("provisioned").maxItems(1));
      assertThat(page.provisionedConcurrencyConfigs())
          .singleElement()
          .satisfies(
              item -> {
                assertThat(item.functionArn()).isEqualTo(ARN + ":1");
                assertThat(item.requestedProvisionedConcurrentExecutions()).isEqualTo(2);
              });
      ListProvisionedConcurrencyConfigsResponse next =
          lambda.listProvisionedConcurrencyConfigs(
              r -> r.functionName("provisioned").maxItems(1).marker(page.nextMarker()));
      assertThat(next.provisionedConcurrencyConfigs())
          .extracting(ProvisionedConcurrencyConfigListItem::functionArn)
          .containsExactly(ARN + ":2");
      assertThat(next.nextMarker()).isNull();
      assertThat(
              lambda
                  .deleteFunction(r -> r.functionName("provisioned").qualifier("2"))
                  .sdkHttpResponse()
                  .statusCode())
          .isEqualTo(204);
      assertThat(
              lambda
                  .listProvisionedConcurrencyConfigs(r -> r.functionName("provisioned"))
                  .provisionedConcurrencyConfigs())
          .as("deleting a version ends its provisioning")
          .extracting(ProvisionedConcurrencyConfigListItem::functionArn)
          .containsExactly(ARN + ":1");
      assertThat(server.runtime().warmInstances())
          .as("version 2's instance is gone with it")
          .noneMatch(instance -> instance.version().equals("2"));

      assertThat(
              lambda
                  .deleteProvisionedConcurrencyConfig(
                      r -> r.functionName("provisioned").qualifier("1"))
                  .sdkHttpResponse()
                  .statusCode())
          .isEqualTo(204);
      assertThat(
              catchThrowableOfType(
                  ProvisionedConcurrencyConfigNotFoundException.class, () -> get("1")))
          .as("deleted")
          .isNotNull();
    } finally {
      lambda.deleteFunction(r -> r.functionName("provisioned"));
    }
  }
}
