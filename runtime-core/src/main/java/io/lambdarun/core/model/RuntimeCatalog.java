package io.lambdarun.core.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Lambda's runtime identifiers: the ones CreateFunction accepts, the AWS base image of each runtime
 * that can still run, and the deprecated ones that have none.
 */
public final class RuntimeCatalog {

  /** The registry and repository prefix of AWS's base images, which embed the RIE on port 8080. */
  public static final String BASE_IMAGE_PREFIX = "public.ecr.aws/lambda/";

  /** Every runtime id Lambda's API accepts, sorted. */
  public static final Set<String> ALLOWLIST =
      Collections.unmodifiableSet(
          new TreeSet<>(
              List.of(
                  "python3.15",
                  "python3.14",
                  "python3.13",
                  "python3.12",
                  "python3.11",
                  "python3.10",
                  "python3.9",
                  "python3.8",
                  "python3.7",
                  "python3.6",
                  "python2.7",
                  "nodejs26.x",
                  "nodejs24.x",
                  "nodejs22.x",
                  "nodejs20.x",
                  "nodejs18.x",
                  "nodejs16.x",
                  "nodejs14.x",
                  "nodejs12.x",
                  "nodejs10.x",
                  "nodejs8.10",
                  "nodejs6.10",
                  "nodejs4.3",
                  "nodejs4.3-edge",
                  "nodejs",
                  "ruby4.0",
                  "ruby3.4",
                  "ruby3.3",
                  "ruby3.2",
                  "ruby2.7",
                  "ruby2.5",
                  "java25",
                  "java21",
                  "java17",
                  "java11",
                  "java8",
                  "java17.al2023",
                  "java11.al2023",
                  "java8.al2023",
                  "java8.al2",
                  "dotnet10",
                  "dotnet8",
                  "dotnet6",
                  "dotnetcore3.1",
                  "dotnetcore2.1",
                  "dotnetcore2.0",
                  "dotnetcore1.0",
                  "go1.x",
                  "provided.al2023",
                  "provided.al2",
                  "provided")));

  /** Runtime id to base image tag under {@link #BASE_IMAGE_PREFIX}, for runnable runtimes. */
  public static final Map<String, String> IMAGES = images();

  /** Runtimes the API accepts but that have no base image any more, sorted. */
  public static final Set<String> DEPRECATED =
      Collections.unmodifiableSet(
          new TreeSet<>(
              List.of(
                  "nodejs",
                  "nodejs4.3",
                  "nodejs4.3-edge",
                  "nodejs6.10",
                  "nodejs8.10",
                  "nodejs10.x",
                  "nodejs12.x",
                  "nodejs14.x",
                  "java8",
                  "python2.7",
                  "python3.6",
                  "python3.7",
                  "dotnetcore1.0",
                  "dotnetcore2.0",
                  "dotnetcore2.1",
                  "dotnetcore3.1",
                  "dotnet6",
                  "ruby2.5",
                  "ruby2.7",
                  "provided")));

  private RuntimeCatalog() {}

  private static Map<String, String> images() {
    Map<String, String> images = new LinkedHashMap<>();
    images.put("python3.15", "python:3.15-preview");
    for (String minor : List.of("14", "13", "12", "11", "10", "9", "8")) {
      images.put("python3." + minor, "python:3." + minor);
    }
    images.put("nodejs26.x", "nodejs:26-preview");
    for (String major : List.of("24", "22", "20", "18", "16")) {
      images.put("nodejs" + major + ".x", "nodejs:" + major);
    }
    for (String version : List.of("4.0", "3.4", "3.3", "3.2")) {
      images.put("ruby" + version, "ruby:" + version);
    }
    for (String version : List.of("25", "21", "17", "11")) {
      images.put("java" + version, "java:" + version);
    }
    for (String version : List.of("17", "11", "8")) {
      images.put("java" + version + ".al2023", "java:" + version + ".al2023");
    }
    images.put("java8.al2", "java:8.al2");
    images.put("dotnet10", "dotnet:10");
    images.put("dotnet8", "dotnet:8");
    images.put("go1.x", "go:1");
    images.put("provided.al2023", "provided:al2023");
    images.put("provided.al2", "provided:al2");
    return Collections.unmodifiableMap(images);
  }

  /**
   * Tells whether Lambda's API accepts a runtime id.
   *
   * @param runtime a runtime id
   * @return true when it is on {@link #ALLOWLIST}
   */
  public static boolean isKnown(String runtime) {
    return ALLOWLIST.contains(runtime);
  }

  /**
   * Returns AWS's base image for a runtime.
   *
   * @param runtime a runtime id
   * @return the full image reference, or empty for deprecated and unknown runtimes
   */
  public static Optional<String> baseImage(String runtime) {
    return Optional.ofNullable(IMAGES.get(runtime)).map(tag -> BASE_IMAGE_PREFIX + tag);
  }
}
