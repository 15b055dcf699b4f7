package io.lambdarun.core.model;

import static io.lambdarun.core.TestFunctions.python;
import static io.lambdarun.core.TestFunctions.zip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lambdarun.api.Archive;
import io.lambdarun.api.ArchiveLimits;
import io.lambdarun.api.InvalidArchiveException;
import io.lambdarun.api.InvalidFunctionException;
import io.lambdarun.api.PackageType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LambdaFunctionTest {

  @Test
  void defaultsFollowLambda() {
    LambdaFunction fn = python("hello").build();

    assertThat(fn.functionArn()).isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:hello");
    assertThat(fn.version()).isEqualTo("$LATEST");
    assertThat(fn.timeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(fn.memoryMib()).isEqualTo(128);
    assertThat(fn.ephemeralStorageMib()).isEqualTo(512);
    assertThat(fn.packageType()).isEqualTo(PackageType.ZIP);
    assertThat(fn.region()).isEqualTo("us-east-1");
    assertThat(fn.accountId()).isEqualTo("000000000000");
    assertThat(fn.qualifiedArn()).isEqualTo(fn.functionArn() + ":$LATEST");
  }

  @Test
  void regionAndAccountComeFromTheArn() {
    LambdaFunction fn =
        python("hello").functionArn("arn:aws:lambda:eu-west-1:123456789012:function:hello").build();

    assertThat(fn.region()).isEqualTo("eu-west-1");
    assertThat(fn.accountId()).isEqualTo("123456789012");
  }

  @Test
  void emptyArnFieldsFallBack() {
    LambdaFunction fn = python("hello").functionArn("arn:aws:lambda:::function:hello").build();

    assertThat(fn.region()).isEqualTo("us-east-1");
    assertThat(fn.accountId()).isEqualTo("000000000000");
  }

  @Test
  void arnMustNameTheFunction() {
    assertThatThrownBy(
            () -> python("hello").functionArn("arn:aws:lambda:us-east-1:1:function:other").build())
        .isInstanceOf(InvalidFunctionException.class)
        .hasMessageContaining("'arn:aws:lambda:us-east-1:1:function:other'");
  }

  @Test
  void environmentIsSorted() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("ZED", "1");
    env.put("ALPHA", "2");

    assertThat(python("hello").environment(env).build().environment().keySet())
        .containsExactly("ALPHA", "ZED");
  }

  @Test
  void reservedKeysAreRejectedWithAwsWording() {
    assertThatThrownBy(
            () ->
                python("hello")
                    .putEnvironment("AWS_REGION", "x")
                    .putEnvironment("_HANDLER", "y")
                    .putEnvironment("MINE", "z")
                    .build())
        .isInstanceOfSatisfying(
            InvalidFunctionException.class,
            e -> assertThat(e.awsErrorCode()).isEqualTo("InvalidParameterValueException"))
        .hasMessage(
            "Lambda was unable to configure your environment variables because the environment"
                + " variables you have provided contains reserved keys that are currently not"
                + " supported for modification. Reserved keys used in this request: AWS_REGION,"
                + " _HANDLER");
  }

  @Test
  void endpointUrlAndTimeoutAreNotReserved() {
    LambdaFunction fn =
        python("hello")
            .putEnvironment("AWS_ENDPOINT_URL", "http://localhost:4566")
            .putEnvironment("AWS_LAMBDA_FUNCTION_TIMEOUT", "9")
            .build();

    assertThat(fn.environment()).containsKeys("AWS_ENDPOINT_URL", "AWS_LAMBDA_FUNCTION_TIMEOUT");
  }

  @ParameterizedTest
  @ValueSource(ints = {127, 10_241, 0, -1})
  void memoryOutsideTheRangeIsRejected(int memory) {
    assertThatThrownBy(() -> python("hello").memoryMib(memory).build())
        .isInstanceOfSatisfying(
            InvalidFunctionException.class,
            e -> assertThat(e.awsErrorCode()).isEqualTo("ValidationException"))
        .hasMessage(
            "memory size '"
                + memory
                + "' of function 'hello' must be from 128 to 10240 MiB; set a"
                + " value in that range");
  }

  @ParameterizedTest
  @ValueSource(ints = {128, 10_240})
  void memoryBoundsAreAccepted(int memory) {
    assertThat(python("hello").memoryMib(memory).build().memoryMib()).isEqualTo(memory);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 901})
  void timeoutOutsideTheRangeIsRejected(int seconds) {
    assertThatThrownBy(() -> python("hello").timeoutSeconds(seconds).build())
        .isInstanceOf(InvalidFunctionException.class)
        .hasMessageContaining("must be a whole number of seconds from 1 to 900");
  }

  @Test
  void fractionalTimeoutIsRejected() {
    assertThatThrownBy(() -> python("hello").timeout(Duration.ofMillis(1500)).build())
        .isInstanceOf(InvalidFunctionException.class)
        .hasMessageContaining("'PT1.5S'");
  }

  @Test
  void timeoutBoundsAreAccepted() {
    assertThat(python("hello").timeoutSeconds(1).build().timeout()).hasSeconds(1);
    assertThat(python("hello").timeoutSeconds(900).build().timeout()).hasSeconds(900);
  }

  @ParameterizedTest
  @ValueSource(ints = {511, 10_241})
  void ephemeralStorageOutsideTheRangeIsRejected(int mib) {
    assertThatThrownBy(() -> python("hello").ephemeralStorageMib(mib).build())
        .isInstanceOf(InvalidFunctionException.class)
        .hasMessageContaining("ephemeral storage '" + mib + "'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "has space", "dot.name", "slash/name", "ü"})
  void badNamesAreRejected(String name) {
    assertThatThrownBy(() -> python(name).build())
        .isInstanceOf(InvalidFunctionException.class)
        .hasMessageStartingWith("function name '" + name + "'");
  }

  @Test
  void nameOf64CharactersIsAcceptedAnd65Rejected() {
    assertThat(python("a".repeat(64)).build().functionName()).hasSize(64);
    assertThatThrownBy(() -> python("a".repeat(65)).build())
        .isInstanceOf(InvalidFunctionException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"latest", "1.0", "", "$latest"})
  void badVersionsAreRejected(String version) {
    assertThatThrownBy(() -> python("hello").version(version).build())
        .isInstanceOf(InvalidFunctionException.class)
        .hasMessageStartingWith("version '" + version + "'");
  }

  @Test
  void environmentAboveFourKilobytesIsRejected() {
    String value = "x".repeat(4096 - "BIG".length() + 1);

    assertThatThrownBy(() -> python("hello").putEnvironment("BIG", value).build())
        .isInstanceOf(InvalidFunctionException.class)
        .hasMessageContaining("exceeded the 4KB limit")
        .hasMessageContaining("'4097' bytes")
        .hasMessageNotContaining(value);
  }

  @Test
  void environmentOfExactlyFourKilobytesIsAccepted() {
    String value = "x".repeat(4096 - "BIG".length());

    assertThat(python("hello").putEnvironment("BIG", value).build().environment()).hasSize(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\0b", "\uD800", "x\uDC00y", "\uD800x"})
  void environmentValuesMustBeText(String value) {
    assertThatThrownBy(() -> python("hello").putEnvironment("KEY", value).build())
        .isInstanceOf(InvalidFunctionException.class)
        .hasMessageContaining("'KEY'")
        .hasMessageContaining("not valid text");
  }

  @Test
  void surrogatePairsAreText() {
    assertThat(python("hello").putEnvironment("EMOJI", "\uD83D\uDE00").build().environment())
        .containsEntry("EMOJI", "\uD83D\uDE00");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1ABC", "A", "WITH-DASH", "WITH SPACE"})
  void environmentKeysFollowAwsPattern(String key) {
    assertThatThrownBy(() -> python("hello").putEnvironment(key, "v").build())
        .isInstanceOf(InvalidFunctionException.class)
        .hasMessageStartingWith("environment key '" + key + "'");
  }

  @Test
  void zipNeedsAKnownRuntime() {
    assertThatThrownBy(() -> python("hello").runtime("cobol1.0").build())
        .isInstanceOf(InvalidFunctionException.class)
        .hasMessageStartingWith("runtime 'cobol1.0' of function 'hello' is not a Lambda runtime");
  }

  @Test
  void deprecatedRuntimesAreAccepted() {
    assertThat(python("hello").runtime("python2.7").build().runtime()).isEqualTo("python2.7");
  }

  @Test
  void zipNeedsAHandler() {
    assertThatThrownBy(() -> python("hello").handler("").build())
        .isInstanceOf(InvalidFunctionException.class)
        .hasMessageStartingWith("handler '' of function 'hello'");
  }

  @Test
  void zipNeedsCode() {
    assertThatThrownBy(() -> python("hello").code(null).build())
        .isInstanceOf(InvalidFunctionException.class)
        .hasMessage(
            "function 'hello' has package type Zip but no code archive; provide the code zip");
  }

  @Test
  void emptyCodeZipIsRejected() {
    assertThatThrownBy(() -> python("hello").code(zip()).build())
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining("Uploaded file must be a non-empty zip");
  }

  @Test
  void corruptCodeIsRejected() {
    assertThatThrownBy(
            () -> python("hello").code(Archive.ofBytes("code", new byte[] {1, 2, 3})).build())
        .isInstanceOf(InvalidArchiveException.class);
  }

  @Test
  void zipSlipInCodeIsRejected() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.putNextEntry(new ZipEntry("../evil.py"));
      zip.closeEntry();
    }

    assertThatThrownBy(
            () -> python("hello").code(Archive.ofBytes("code", bytes.toByteArray())).build())
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining("zip slip");
  }

  @Test
  void archiveLimitsApply() {
    assertThatThrownBy(() -> python("hello").archiveLimits(new ArchiveLimits(4, 10)).build())
        .isInstanceOf(InvalidArchiveException.class);
  }

  @Test
  void imageNeedsAnImageUri() {
    assertThatThrownBy(
            () ->
                LambdaFunction.builder().functionName("img").packageType(PackageType.IMAGE).build())
        .isInstanceOf(InvalidFunctionException.class)
        .hasMessage("function 'img' has package type Image but no image URI; set the image URI");
  }

  @Test
  void imageFunctionNeedsNoCodeOrRuntime() {
    LambdaFunction fn = LambdaFunction.builder().functionName("img").imageUri("repo/app:1").build();

    assertThat(fn.packageType()).isEqualTo(PackageType.IMAGE);
    assertThat(fn.imageUri()).contains("repo/app:1");
    assertThat(fn.code()).isEmpty();
  }

  @Test
  void moreThanFiveLayersAreRejected() {
    Archive layer = zip("opt.txt", "x");

    assertThatThrownBy(
            () ->
                python("hello")
                    .layers(java.util.List.of(layer, layer, layer, layer, layer, layer))
                    .build())
        .isInstanceOf(InvalidFunctionException.class)
        .hasMessageContaining("'6' layers");
  }

  @Test
  void roleIsMovedIntoTheFunctionAccount() {
    LambdaFunction.Builder fn =
        python("hello").functionArn("arn:aws:lambda:eu-west-1:123456789012:function:hello");

    assertThat(fn.role("arn:aws:iam::000000000000:role/path/r").build().roleInFunctionAccount())
        .isEqualTo("arn:aws:iam::123456789012:role/path/r");
    assertThat(fn.role("arn:aws:iam:::role/r").build().roleInFunctionAccount())
        .isEqualTo("arn:aws:iam::123456789012:role/r");
    assertThat(fn.role("my-role").build().roleInFunctionAccount()).isEqualTo("my-role");
    assertThat(fn.role("").build().roleInFunctionAccount()).isEmpty();
  }

  @Test
  void toBuilderRoundTrips() {
    LambdaFunction fn = python("hello").putEnvironment("AB", "b").tags(Map.of("t", "v")).build();

    assertThat(fn.toBuilder().build()).isEqualTo(fn);
  }
}
