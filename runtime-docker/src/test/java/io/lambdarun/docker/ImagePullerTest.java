package io.lambdarun.docker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ImagePullerTest {

  @Test
  void aReferenceWithoutTagGetsLatest() {
    assertThat(ImagePuller.withDefaultTag("python")).isEqualTo("python:latest");
    assertThat(ImagePuller.withDefaultTag("127.0.0.1:5000/team/app"))
        .isEqualTo("127.0.0.1:5000/team/app:latest");
  }

  @Test
  void aTagOrDigestIsKept() {
    assertThat(ImagePuller.withDefaultTag("127.0.0.1:5000/team/app:v2"))
        .isEqualTo("127.0.0.1:5000/team/app:v2");
    String digest = "public.ecr.aws/lambda/python@sha256:" + "ab".repeat(32);
    assertThat(ImagePuller.withDefaultTag(digest)).isEqualTo(digest);
  }
}
