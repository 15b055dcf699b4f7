package io.lambdarun.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class RuntimeCatalogTest {

  @Test
  void everyAllowlistedRuntimeIsMappedOrDeprecatedNeverBoth() {
    for (String runtime : RuntimeCatalog.ALLOWLIST) {
      boolean mapped = RuntimeCatalog.IMAGES.containsKey(runtime);
      boolean deprecated = RuntimeCatalog.DEPRECATED.contains(runtime);
      assertThat(mapped ^ deprecated).as(runtime).isTrue();
    }
    Set<String> union = new TreeSet<>(RuntimeCatalog.IMAGES.keySet());
    union.addAll(RuntimeCatalog.DEPRECATED);
    assertThat(union).isEqualTo(RuntimeCatalog.ALLOWLIST);
  }

  @Test
  void baseImagesAreAwsImages() {
    assertThat(RuntimeCatalog.baseImage("python3.12"))
        .contains("public.ecr.aws/lambda/python:3.12");
    assertThat(RuntimeCatalog.baseImage("python3.15"))
        .contains("public.ecr.aws/lambda/python:3.15-preview");
    assertThat(RuntimeCatalog.baseImage("nodejs20.x")).contains("public.ecr.aws/lambda/nodejs:20");
    assertThat(RuntimeCatalog.baseImage("java17.al2023"))
        .contains("public.ecr.aws/lambda/java:17.al2023");
    assertThat(RuntimeCatalog.baseImage("provided.al2023"))
        .contains("public.ecr.aws/lambda/provided:al2023");
    assertThat(RuntimeCatalog.baseImage("go1.x")).contains("public.ecr.aws/lambda/go:1");
    assertThat(RuntimeCatalog.baseImage("dotnet10")).contains("public.ecr.aws/lambda/dotnet:10");
    assertThat(RuntimeCatalog.baseImage("ruby4.0")).contains("public.ecr.aws/lambda/ruby:4.0");
  }

  @Test
  void deprecatedAndUnknownRuntimesHaveNoImage() {
    assertThat(RuntimeCatalog.baseImage("python2.7")).isEmpty();
    assertThat(RuntimeCatalog.baseImage("cobol1.0")).isEmpty();
    assertThat(RuntimeCatalog.isKnown("cobol1.0")).isFalse();
  }
}
