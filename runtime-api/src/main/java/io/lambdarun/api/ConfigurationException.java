package io.lambdarun.api;

/** A configuration key holds a value that cannot be used, or a required key is missing. */
public class ConfigurationException extends LambdaRunException {

  private static final long serialVersionUID = 1L;

  /** The configuration key whose value is wrong. */
  private final String key;

  /**
   * Creates an exception.
   *
   * @param key the offending configuration key
   * @param message one sentence naming the key and value, then the remedy
   */
  public ConfigurationException(String key, String message) {
    super(message);
    this.key = key;
  }

  /**
   * Returns the offending key.
   *
   * @return the configuration key
   */
  public String key() {
    return key;
  }
}
