package io.lambdarun.api;

import java.util.Locale;

/** The instruction set a function runs on, as in Lambda's {@code Architectures}. */
public enum Architecture {
  /** 64-bit x86; Lambda's default. */
  X86_64("x86_64", "linux/amd64"),
  /** 64-bit ARM (Graviton). */
  ARM64("arm64", "linux/arm64");

  private final String awsName;
  private final String platform;

  Architecture(String awsName, String platform) {
    this.awsName = awsName;
    this.platform = platform;
  }

  /**
   * Returns Lambda's name for the architecture.
   *
   * @return {@code x86_64} or {@code arm64}
   */
  public String awsName() {
    return awsName;
  }

  /**
   * Returns the OCI platform string container engines use.
   *
   * @return {@code linux/amd64} or {@code linux/arm64}
   */
  public String platform() {
    return platform;
  }

  /**
   * Parses Lambda's name for an architecture.
   *
   * @param awsName {@code x86_64} or {@code arm64}, case-insensitive
   * @return the architecture
   * @throws InvalidFunctionException if the name is neither
   */
  public static Architecture fromAwsName(String awsName) {
    for (Architecture architecture : values()) {
      if (architecture.awsName.equals(awsName.toLowerCase(Locale.ROOT))) {
        return architecture;
      }
    }
    throw new InvalidFunctionException(
        "architecture '" + awsName + "' is not supported; use 'x86_64' or 'arm64'");
  }
}
