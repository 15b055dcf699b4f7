package io.lambdarun.core.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EcrUriTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/repo:tag",
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/nested/repo:1",
        "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/repo",
        "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/repo@sha256:abc"
      })
  void detectsPrivateEcr(String uri) {
    assertThat(EcrUri.isPrivateEcr(uri)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "public.ecr.aws/lambda/python:3.12",
        "python:3.12",
        "library/python",
        "docker.io/123456789012.dkr.ecr.us-east-1.amazonaws.com/repo",
        "evil.com/123456789012.dkr.ecr.us-east-1.amazonaws.com",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.com/repo",
        "x123456789012.dkr.ecr.us-east-1.amazonaws.com/repo",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com"
      })
  void rejectsLookAlikesAndEmptyPaths(String uri) {
    assertThat(EcrUri.isPrivateEcr(uri)).isFalse();
    assertThat(EcrUri.translate(uri, "registry.local", 5000)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/repo:tag, host.docker.internal:4566/repo:tag",
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/a/b/c, host.docker.internal:4566/a/b/c",
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/r@sha256:00ff, host.docker.internal:4566/r@sha256:00ff"
  })
  void translatesToTheLocalRegistry(String uri, String expected) {
    assertThat(EcrUri.translate(uri, "host.docker.internal", 4566)).contains(expected);
  }

  @ParameterizedTest
  @CsvSource({"repo@sha256:00ff, true", "repo:tag, false", "repo, false"})
  void detectsDigests(String uri, boolean digest) {
    assertThat(EcrUri.isDigest(uri)).isEqualTo(digest);
  }
}
