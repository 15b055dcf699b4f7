package io.lambdarun.docker;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * A registry speaking the minimum of the Docker Registry HTTP API v2 that an engine needs to pull
 * one image, on loopback (which engines treat as an insecure, plain-HTTP registry), behind Basic
 * authentication. The image holds Debian's static busybox, whose {@code httpd} can stand in for an
 * RIE endpoint. A plain socket server, so that the engine's first attempt, TLS, is refused at once
 * (a TLS hello is closed on) instead of waiting for its handshake timeout.
 */
final class LocalRegistry implements AutoCloseable {

  private static final String MANIFEST_TYPE =
      "application/vnd.docker.distribution.manifest.v2+json";

  private static final int TLS_HANDSHAKE = 0x16;

  private final ServerSocket server;
  private final String credentials;
  private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  private final AtomicInteger manifestsServed = new AtomicInteger();
  private final String repository;
  private final String tag;
  private byte[] manifest;

  LocalRegistry(String repository, String tag, String user, String password) throws IOException {
    this.repository = repository;
    this.tag = tag;
    this.credentials =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    buildImage();
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "local-registry");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Returns the image reference to pull, {@code 127.0.0.1:<port>/<repository>:<tag>}. */
  String image() {
    return host() + "/" + repository + ":" + tag;
  }

  /** Returns how often the image's manifest was served to an authenticated client. */
  int manifestsServed() {
    return manifestsServed.get();
  }

  /** Returns the registry host as it appears in a Docker {@code config.json}. */
  String host() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket connection = server.accept();
        Thread handler = new Thread(() -> serve(connection), "local-registry-connection");
        handler.setDaemon(true);
        handler.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket connection) {
    try (connection) {
      InputStream in = new BufferedInputStream(connection.getInputStream());
      in.mark(1);
      if (in.read() == TLS_HANDSHAKE) {
        return;
      }
      in.reset();
      String[] requestLine = readLine(in).split(" ");
      Map<String, String> headers = new LinkedHashMap<>();
      for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
        int colon = line.indexOf(':');
        headers.put(
            line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).trim());
      }
      handle(requestLine[0], requestLine[1].split("\\?")[0], headers, connection.getOutputStream());
    } catch (IOException | RuntimeException e) {
      // the client went away
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("connection closed mid-request");
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  private void handle(String method, String path, Map<String, String> headers, OutputStream out)
      throws IOException {
    boolean head = method.equals("HEAD");
    String prefix = "/v2/" + repository + "/";
    String blob =
        path.startsWith(prefix + "blobs/") ? path.substring((prefix + "blobs/").length()) : "";
    if (!credentials.equals(headers.get("authorization"))) {
      reply(
          out,
          head,
          401,
          "application/json",
          bytes("{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}"),
          null,
          "WWW-Authenticate: Basic realm=\"lambdarun-it\"\r\n");
    } else if (path.equals("/v2/")) {
      reply(out, head, 200, "application/json", bytes("{}"), null, "");
    } else if (path.equals(prefix + "manifests/" + tag)
        || path.equals(prefix + "manifests/" + digest(manifest))) {
      manifestsServed.incrementAndGet();
      reply(out, head, 200, MANIFEST_TYPE, manifest, digest(manifest), "");
    } else if (blobs.containsKey(blob)) {
      reply(out, head, 200, "application/octet-stream", blobs.get(blob), blob, "");
    } else {
      reply(
          out,
          head,
          404,
          "application/json",
          bytes("{\"errors\":[{\"code\":\"NOT_FOUND\"}]}"),
          null,
          "");
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static void reply(
      OutputStream out,
      boolean head,
      int status,
      String type,
      byte[] body,
      String digest,
      String extraHeaders)
      throws IOException {
    String response =
        "HTTP/1.1 "
            + status
            + " "
            + (status == 200 ? "OK" : "Error")
            + "\r\n"
            + "Content-Type: "
            + type
            + "\r\n"
            + "Content-Length: "
            + body.length
            + "\r\n"
            + "Docker-Distribution-API-Version: registry/2.0\r\n"
            + (digest == null ? "" : "Docker-Content-Digest: " + digest + "\r\n")
            + extraHeaders
            + "Connection: close\r\n\r\n";
    out.write(response.getBytes(StandardCharsets.US_ASCII));
    if (!head) {
      out.write(body);
    }
    out.flush();
  }

  private void buildImage() throws IOException {
    byte[] layerTar = busyboxLayer();
    ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(gzipped)) {
      gzip.write(layerTar);
    }
    byte[] layer = gzipped.toByteArray();
    byte[] config =
        ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"/bin/sh\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + digest(layerTar)
                + "\"]}}")
            .getBytes(StandardCharsets.UTF_8);
    blobs.put(digest(layer), layer);
    blobs.put(digest(config), config);
    manifest =
        ("{\"schemaVersion\":2,\"mediaType\":\""
                + MANIFEST_TYPE
                + "\","
                + "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\","
                + "\"size\":"
                + config.length
                + ",\"digest\":\""
                + digest(config)
                + "\"},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\","
                + "\"size\":"
                + layer.length
                + ",\"digest\":\""
                + digest(layer)
                + "\"}]}")
            .getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] busyboxLayer() throws IOException {
    byte[] busybox = Files.readAllBytes(Path.of("/bin/busybox"));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      for (String dir : new String[] {"bin/", "www/"}) {
        TarArchiveEntry entry = new TarArchiveEntry(dir, TarConstants.LF_DIR);
        entry.setMode(040755);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
      }
      TarArchiveEntry binary = new TarArchiveEntry("bin/busybox");
      binary.setMode(0100755);
      binary.setSize(busybox.length);
      tar.putArchiveEntry(binary);
      tar.write(busybox);
      tar.closeArchiveEntry();
      TarArchiveEntry shell = new TarArchiveEntry("bin/sh", TarConstants.LF_SYMLINK);
      shell.setLinkName("busybox");
      shell.setMode(0120777);
      tar.putArchiveEntry(shell);
      tar.closeArchiveEntry();
    }
    return bytes.toByteArray();
  }

  private static String digest(byte[] bytes) {
    try {
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
