package io.lambdarun.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.api.Archive;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ArtifactServerTest {

  private static final String TOKEN = "0123456789abcdef0123456789abcdef";
  private final HttpClient http = HttpClient.newHttpClient();
  private final Archive code = Fixtures.zip("code", Map.of("app.py", "print(1)"));
  private final Archive layer0 = Fixtures.zip("layer0", Map.of("python/a.py", "a"));
  private final Archive layer1 = Fixtures.zip("layer1", Map.of("python/b.py", "b"));
  private ArtifactServer server;

  @BeforeEach
  void start() {
    server = new ArtifactServer("127.0.0.1", 0, TOKEN);
    server.register("lambdarun-fn-abc", Optional.of(code), List.of(layer0, layer1));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<byte[]> get(String path, String authorization)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static byte[] bytes(Archive archive) throws IOException {
    return archive.open().readAllBytes();
  }

  @Test
  void servesTheCodeZipWithTheRightToken() throws Exception {
    HttpResponse<byte[]> response =
        get("/lambdarun/artifacts/lambdarun-fn-abc/code.zip", "Bearer " + TOKEN);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/zip");
    assertThat(response.body()).isEqualTo(bytes(code));
  }

  @Test
  void servesLayersByIndexInAttachOrder() throws Exception {
    assertThat(get("/lambdarun/artifacts/lambdarun-fn-abc/layer-0.zip", "Bearer " + TOKEN).body())
        .isEqualTo(bytes(layer0));
    assertThat(get("/lambdarun/artifacts/lambdarun-fn-abc/layer-1.zip", "Bearer " + TOKEN).body())
        .isEqualTo(bytes(layer1));
    assertThat(
            get("/lambdarun/artifacts/lambdarun-fn-abc/layer-2.zip", "Bearer " + TOKEN)
                .statusCode())
        .isEqualTo(404);
  }

  @Test
  void missingHeaderIs401() throws Exception {
    HttpResponse<byte[]> response = get("/lambdarun/artifacts/lambdarun-fn-abc/code.zip", null);
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate")).contains("Bearer");
  }

  @Test
  void wrongTokensOfEveryLengthAre401() throws Exception {
    String path = "/lambdarun/artifacts/lambdarun-fn-abc/code.zip";
    assertThat(get(path, "Bearer " + TOKEN.replace('0', '1')).statusCode()).isEqualTo(401);
    assertThat(get(path, "Bearer " + TOKEN.substring(1)).statusCode()).isEqualTo(401);
    assertThat(get(path, "Bearer " + TOKEN + "0").statusCode()).isEqualTo(401);
    assertThat(get(path, "Bearer ").statusCode()).isEqualTo(401);
    assertThat(get(path, TOKEN).statusCode()).isEqualTo(401);
    assertThat(get(path, "Basic " + TOKEN).statusCode()).isEqualTo(401);
  }

  @Test
  void unknownLaunchOrFileIs404() throws Exception {
    assertThat(get("/lambdarun/artifacts/other/code.zip", "Bearer " + TOKEN).statusCode())
        .isEqualTo(404);
    assertThat(
            get("/lambdarun/artifacts/lambdarun-fn-abc/secrets.txt", "Bearer " + TOKEN)
                .statusCode())
        .isEqualTo(404);
    assertThat(get("/elsewhere", "Bearer " + TOKEN).statusCode()).isEqualTo(404);
  }

  @Test
  void anImageLaunchHasNoCode() throws Exception {
    server.register("image-launch", Optional.empty(), List.of(layer0));
    assertThat(get("/lambdarun/artifacts/image-launch/code.zip", "Bearer " + TOKEN).statusCode())
        .isEqualTo(404);
    assertThat(get("/lambdarun/artifacts/image-launch/layer-0.zip", "Bearer " + TOKEN).statusCode())
        .isEqualTo(200);
  }

  @Test
  void forgottenLaunchIs404() throws Exception {
    server.forget("lambdarun-fn-abc");
    assertThat(server.serves("lambdarun-fn-abc")).isFalse();
    assertThat(
            get("/lambdarun/artifacts/lambdarun-fn-abc/code.zip", "Bearer " + TOKEN).statusCode())
        .isEqualTo(404);
  }

  @Test
  void pathTraversalInAnySegmentIsRefused() throws Exception {
    for (String path :
        List.of(
            "/lambdarun/artifacts/../artifacts/lambdarun-fn-abc/code.zip",
            "/lambdarun/artifacts/lambdarun-fn-abc/../lambdarun-fn-abc/code.zip",
            "/lambdarun/artifacts/lambdarun-fn-abc/%2e%2e/code.zip",
            "/lambdarun/artifacts/./lambdarun-fn-abc/code.zip",
            "/lambdarun/artifacts/lambdarun-fn-abc//code.zip")) {
      int status = rawGet(path);
      assertThat(status).as(path).isIn(400, 404);
      assertThat(status).as(path).isNotEqualTo(200);
    }
    assertThat(rawGet("/lambdarun/artifacts/lambdarun-fn-abc/%2e%2e/code.zip")).isEqualTo(400);
    assertThat(rawGet("/lambdarun/artifacts/lambdarun-fn-abc/../lambdarun-fn-abc/code.zip"))
        .isEqualTo(400);
  }

  @Test
  void anUnauthorizedTraversalIs401First() throws Exception {
    assertThat(get("/lambdarun/artifacts/x/%2e%2e/code.zip", null).statusCode()).isEqualTo(401);
  }

  @Test
  void onlyGetIsServed() throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:"
                            + server.port()
                            + "/lambdarun/artifacts/lambdarun-fn-abc/code.zip"))
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(405);
  }

  /** Sends the path byte for byte (the JDK client would normalise dot segments). */
  private int rawGet(String path) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket
          .getOutputStream()
          .write(
              ("GET "
                      + path
                      + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                      + TOKEN
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String statusLine =
          new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)
              .lines()
              .findFirst()
              .orElseThrow();
      return Integer.parseInt(statusLine.split(" ")[1]);
    }
  }
}
