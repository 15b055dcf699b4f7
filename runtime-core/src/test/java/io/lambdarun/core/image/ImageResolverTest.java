package io.lambdarun.core.image;

import static io.lambdarun.core.TestFunctions.python;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lambdarun.api.ConfigurationException;
import io.lambdarun.api.HostAccess;
import io.lambdarun.api.InvalidFunctionException;
import io.lambdarun.core.model.LambdaFunction;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ImageResolverTest {

  private static final HostAccess DOCKER = new HostAccess("host.docker.internal", "127.0.0.1");
  private static final String KEY = "lambdarun.image-mappings";

  @Test
  void defaultsToAwsBaseImages() {
    assertThat(ImageResolver.defaults().imageFor(python("f").build(), DOCKER))
        .isEqualTo("public.ecr.aws/lambda/python:3.12");
  }

  @Test
  void explicitMappingWinsOverPatternAndTable() {
    ImageResolver resolver =
        ImageResolver.of(
            KEY,
            " python3.12=my-registry/python:3.12 , mirror.local/lambda/<runtime>:v1",
            OptionalInt.empty());

    assertThat(resolver.runtimeImage("python3.12")).contains("my-registry/python:3.12");
    assertThat(resolver.runtimeImage("nodejs20.x")).contains("mirror.local/lambda/nodejs20.x:v1");
    assertThat(resolver.runtimeImage("cobol1.0")).isEmpty();
  }

  @Test
  void mappingMakesADeprecatedRuntimeRunnable() {
    ImageResolver resolver = ImageResolver.of(KEY, "python2.7=old/python:2.7", OptionalInt.empty());

    assertThat(resolver.imageFor(python("f").runtime("python2.7").build(), DOCKER))
        .isEqualTo("old/python:2.7");
  }

  @Test
  void deprecatedRuntimeWithoutMappingFailsWithInvalidRuntime() {
    LambdaFunction fn = python("f").runtime("python2.7").build();

    assertThatThrownBy(() -> ImageResolver.defaults().imageFor(fn, DOCKER))
        .isInstanceOfSatisfying(
            InvalidFunctionException.class,
            e -> assertThat(e.awsErrorCode()).isEqualTo("InvalidRuntimeException"))
        .hasMessageStartingWith("runtime 'python2.7' of function 'f' is deprecated");
  }

  @Test
  void malformedEntriesFailNamingTheKey() {
    for (String bad :
        new String[] {"python3.12", "cobol=x:1", "python3.12=", "a/<runtime>,b/<runtime>"}) {
      assertThatThrownBy(() -> ImageResolver.of(KEY, bad, OptionalInt.empty()))
          .as(bad)
          .isInstanceOfSatisfying(
              ConfigurationException.class, e -> assertThat(e.key()).isEqualTo(KEY))
          .hasMessageContaining("'" + KEY + "'");
    }
  }

  @Test
  void blankMappingStringMeansDefaults() {
    assertThat(ImageResolver.of(KEY, " ", OptionalInt.empty()).runtimeImage("java21"))
        .contains("public.ecr.aws/lambda/java:21");
  }

  @Test
  void imageFunctionsUseTheirUriTranslatedWhenARegistryPortIsSet() {
    LambdaFunction fn =
        LambdaFunction.builder()
            .functionName("img")
            .imageUri("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1")
            .build();

    assertThat(ImageResolver.of(KEY, "", OptionalInt.of(4566)).imageFor(fn, DOCKER))
        .isEqualTo("127.0.0.1:4566/app:1");
    assertThat(ImageResolver.defaults().imageFor(fn, DOCKER))
        .isEqualTo("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1");
  }

  @Test
  void nonEcrImagesAreNotTranslated() {
    LambdaFunction fn = LambdaFunction.builder().functionName("img").imageUri("repo/app:1").build();

    assertThat(ImageResolver.of(KEY, "", OptionalInt.of(4566)).imageFor(fn, DOCKER))
        .isEqualTo("repo/app:1");
  }
}
