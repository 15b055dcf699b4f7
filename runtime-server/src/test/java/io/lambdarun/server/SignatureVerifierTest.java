package io.lambdarun.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The verifier against the worked example of AWS's Signature Version 4 documentation. */
class SignatureVerifierTest {

  private static final SignatureVerifier VERIFIER =
      new SignatureVerifier(
          new ServerCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"));

  private static SignatureVerifier.SignedRequest listUsers(String signature) {
    return new SignatureVerifier.SignedRequest(
        "GET",
        "/",
        "Action=ListUsers&Version=2010-05-08",
        List.of(
            Map.entry("Host", "iam.amazonaws.com"),
            Map.entry("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
            Map.entry("X-Amz-Date", "20150830T123600Z"),
            Map.entry(
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request,"
                    + " SignedHeaders=content-type;host;x-amz-date, Signature="
                    + signature)),
        new byte[0]);
  }

  @Test
  void acceptsTheDocumentedSignature() {
    VERIFIER.verify(listUsers("5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"));
  }

  @Test
  void refusesTheDocumentedRequestWithOneSignatureDigitChanged() {
    ApiException e =
        catchThrowableOfType(
            ApiException.class,
            () ->
                VERIFIER.verify(
                    listUsers("5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d8")));
    assertThat(e.status()).isEqualTo(403);
    assertThat(e.errorType()).isEqualTo("InvalidSignatureException");
  }
}
