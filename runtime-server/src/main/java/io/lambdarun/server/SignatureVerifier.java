package io.lambdarun.server;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies AWS Signature Version 4 ({@code Authorization: AWS4-HMAC-SHA256 ...}) against one access
 * key, as AWS does: the canonical request from the method, the path encoded once more, the sorted
 * query, the signed headers and the body's SHA-256, signed with the key derived for the
 * credential's date, region and service. Answers 403 {@code UnrecognizedClientException} for an
 * unsigned request or another key, {@code InvalidSignatureException} for a wrong signature.
 */
final class SignatureVerifier {

  private static final Pattern AUTHORIZATION =
      Pattern.compile(
          "AWS4-HMAC-SHA256\\s+Credential=([^/,\\s]+)/(\\d{8})/([^/,\\s]+)/([^/,\\s]+)/aws4_request"
              + "\\s*,\\s*SignedHeaders=([^,\\s]+)\\s*,\\s*Signature=([0-9a-f]{64})\\s*");
  private static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

  private final ServerCredentials credentials;

  SignatureVerifier(ServerCredentials credentials) {
    this.credentials = credentials;
  }

  /**
   * The parts of a request that are signed.
   *
   * @param method the HTTP method
   * @param rawPath the path as sent, percent-encoded
   * @param rawQuery the query as sent, empty for none
   * @param headers every header line as sent, in order
   * @param body the body
   */
  record SignedRequest(
      String method,
      String rawPath,
      String rawQuery,
      List<Map.Entry<String, String>> headers,
      byte[] body) {}

  void verify(SignedRequest request) {
    String authorization = header(request, "authorization");
    Matcher parts = authorization == null ? null : AUTHORIZATION.matcher(authorization);
    if (parts == null || !parts.matches() || !parts.group(1).equals(credentials.accessKeyId())) {
      throw new ApiException(
          403,
          "UnrecognizedClientException",
          "The security token included in the request is invalid.");
    }
    String amzDate = header(request, "x-amz-date");
    String scope = parts.group(2) + "/" + parts.group(3) + "/" + parts.group(4) + "/aws4_request";
    String stringToSign =
        "AWS4-HMAC-SHA256\n"
            + amzDate
            + "\n"
            + scope
            + "\n"
            + hex(
                sha256(canonicalRequest(request, parts.group(5)).getBytes(StandardCharsets.UTF_8)));
    byte[] key =
        hmac(
            ("AWS4" + credentials.secretAccessKey()).getBytes(StandardCharsets.UTF_8),
            parts.group(2));
    key = hmac(key, parts.group(3));
    key = hmac(key, parts.group(4));
    key = hmac(key, "aws4_request");
    byte[] expected = hmac(key, stringToSign);
    byte[] given = HexFormat.of().parseHex(parts.group(6));
    if (amzDate == null || !MessageDigest.isEqual(expected, given)) {
      throw new ApiException(
          403,
          "InvalidSignatureException",
          "The request signature we calculated does not match the signature you provided. Check"
              + " your AWS Secret Access Key and signing method. Consult the service documentation"
              + " for details.");
    }
  }

  private static String canonicalRequest(SignedRequest request, String signedHeaders) {
    StringBuilder canonical = new StringBuilder();
    canonical.append(request.method()).append('\n');
    canonical
        .append(encode(request.rawPath().isEmpty() ? "/" : request.rawPath(), true))
        .append('\n');
    canonical.append(canonicalQuery(request.rawQuery())).append('\n');
    for (String name : signedHeaders.split(";")) {
      canonical.append(name).append(':').append(headerValues(request, name)).append('\n');
    }
    canonical.append('\n').append(signedHeaders).append('\n');
    String declared = header(request, "x-amz-content-sha256");
    canonical.append(
        UNSIGNED_PAYLOAD.equals(declared) ? UNSIGNED_PAYLOAD : hex(sha256(request.body())));
    return canonical.toString();
  }

  private static String canonicalQuery(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return "";
    }
    TreeMap<String, List<String>> sorted = new TreeMap<>();
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String name = equals < 0 ? pair : pair.substring(0, equals);
      String value = equals < 0 ? "" : pair.substring(equals + 1);
      sorted
          .computeIfAbsent(encode(decode(name), false), k -> new ArrayList<>())
          .add(encode(decode(value), false));
    }
    List<String> pairs = new ArrayList<>();
    sorted.forEach(
        (name, values) -> values.stream().sorted().forEach(v -> pairs.add(name + "=" + v)));
    return String.join("&", pairs);
  }

  private static String header(SignedRequest request, String name) {
    for (Map.Entry<String, String> header : request.headers()) {
      if (header.getKey().equalsIgnoreCase(name)) {
        return header.getValue();
      }
    }
    return null;
  }

  private static String headerValues(SignedRequest request, String name) {
    List<String> values = new ArrayList<>();
    for (Map.Entry<String, String> header : request.headers()) {
      if (header.getKey().toLowerCase(Locale.ROOT).equals(name)) {
        values.add(header.getValue().strip().replaceAll(" +", " "));
      }
    }
    return String.join(",", values);
  }

  /** AWS's URI encoding: unreserved characters kept, every other byte as upper-case %XX. */
  private static String encode(String value, boolean keepSlash) {
    StringBuilder encoded = new StringBuilder();
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '_'
          || c == '.'
          || c == '~'
          || (keepSlash && c == '/')) {
        encoded.append(c);
      } else {
        encoded.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
      }
    }
    return encoded.toString();
  }

  private static String decode(String value) {
    try {
      return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return value; // a malformed escape: signed as sent, so the signature decides
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks HmacSHA256", e);
    }
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
