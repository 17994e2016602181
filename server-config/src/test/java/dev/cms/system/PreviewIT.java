package dev.cms.system;

import static dev.cms.system.Gateway.KEY1;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An app started in the container, seen through the gateway's preview in both URL forms. */
class PreviewIT {

  static final String SERVER_JS =
      """
      const http = require('http');
      http.createServer((req, res) => {
        if (req.method === 'POST') {
          res.writeHead(200, {'content-type': 'application/octet-stream'});
          req.pipe(res);
          return;
        }
        res.writeHead(200, {'content-type': 'text/html', 'set-cookie': 'seen=1'});
        res.end('<h1>hello from the app on ' + req.url + '</h1>');
      }).listen(3000);
      """;

  static Gateway gw;
  static String id;
  static TerminalClient shell;

  @BeforeAll
  static void app() throws Exception {
    gw = Gateway.shared();
    JsonNode c = gw.create(KEY1);
    id = c.get("id").asText();
    HttpResponse<String> put =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            gw.base()
                                + "/api/v1/containers/"
                                + id
                                + "/files?path="
                                + URLEncoder.encode("/app/web/server.js", StandardCharsets.UTF_8)))
                    .header("Authorization", "Bearer " + KEY1)
                    .PUT(HttpRequest.BodyPublishers.ofString(SERVER_JS))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    shell =
        TerminalClient.connect(
            c.get("websocketUrl").asText(), "token=" + c.get("token").asText() + "&terminal=app");
  }

  @AfterAll
  static void remove() throws Exception {
    shell.close();
    gw.delete("/api/v1/containers/" + id, KEY1);
  }

  @Test
  void theAppIsServedThroughBothPreviewFormsAndAWaitingPageComesFirst() throws Exception {
    JsonNode urls =
        Gateway.JSON.readTree(gw.get("/api/v1/containers/" + id + "/preview/3000", KEY1).body());
    URI host = URI.create(urls.get("url").asText());
    URI path = URI.create(urls.get("pathUrl").asText());
    assertThat(host.getHost()).startsWith("3000-" + id + "-").endsWith(".localhost");
    assertThat(path.getPath()).startsWith("/preview/" + id + "-").endsWith("/3000/");

    // nothing listens yet: a browser gets the waiting page, a client a 503 problem
    String waiting = raw(path.getPath(), "localhost", "text/html", null);
    assertThat(waiting).startsWith("HTTP/1.1 503").contains("port 3000");
    assertThat(raw(path.getPath(), "localhost", "application/json", null))
        .startsWith("HTTP/1.1 503")
        .contains("problem+json");

    shell.type("cd /app/web && node server.js\r");
    Instant deadline = Instant.now().plusSeconds(30);
    String page = "";
    while (Instant.now().isBefore(deadline) && !page.startsWith("HTTP/1.1 200")) {
      Thread.sleep(250);
      page = raw(path.getPath() + "deep?x=1", "localhost", "text/html", null);
    }
    assertThat(page)
        .startsWith("HTTP/1.1 200")
        .contains("hello from the app on /deep?x=1")
        .containsIgnoringCase("set-cookie: seen=1");

    String viaHost = raw("/host-form", host.getHost() + ":" + host.getPort(), "text/html", null);
    assertThat(viaHost).startsWith("HTTP/1.1 200").contains("hello from the app on /host-form");

    // 10 MB POST echoed back intact, streaming both ways
    byte[] body = new byte[10 * 1024 * 1024];
    new Random(3).nextBytes(body);
    byte[] echoed = rawBytes(path.getPath() + "echo", "localhost", body);
    assertThat(sha(echoed)).isEqualTo(sha(body));

    // a wrong secret looks like nothing at all
    String wrongPath = path.getPath().replaceFirst("-[0-9a-f]{16}/", "-0000000000000000/");
    assertThat(raw(wrongPath, "localhost", "text/html", null)).startsWith("HTTP/1.1 404");
    String wrongHost = host.getHost().replaceFirst("-[0-9a-f]{16}\\.", "-0000000000000000.");
    assertThat(raw("/", wrongHost, "text/html", null)).startsWith("HTTP/1.1 404");
    assertThat(gw.get("/health/ready", null).statusCode()).isEqualTo(200);
  }

  private static String raw(String target, String host, String accept, byte[] body)
      throws Exception {
    return new String(exchange(target, host, accept, body), StandardCharsets.ISO_8859_1);
  }

  /** The body of a POST answered with Content-Length or chunked; sent and read concurrently. */
  private static byte[] rawBytes(String target, String host, byte[] body) throws Exception {
    byte[] all = exchange(target, host, "*/*", body);
    int headEnd = indexOf(all, "\r\n\r\n".getBytes()) + 4;
    String head = new String(all, 0, headEnd, StandardCharsets.ISO_8859_1);
    assertThat(head).startsWith("HTTP/1.1 200");
    byte[] rest = Arrays.copyOfRange(all, headEnd, all.length);
    if (!head.toLowerCase().contains("transfer-encoding: chunked")) {
      return rest;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (true) {
      int lineEnd = indexOf(Arrays.copyOfRange(rest, i, rest.length), "\r\n".getBytes()) + i;
      int size =
          Integer.parseInt(
              new String(rest, i, lineEnd - i, StandardCharsets.US_ASCII).split(";")[0].strip(),
              16);
      if (size == 0) {
        return out.toByteArray();
      }
      out.write(rest, lineEnd + 2, size);
      i = lineEnd + 2 + size + 2;
    }
  }

  private static byte[] exchange(String target, String host, String accept, byte[] body)
      throws Exception {
    URI base = URI.create(gw.base());
    try (Socket s = new Socket("127.0.0.1", base.getPort())) {
      s.setSoTimeout(60_000);
      OutputStream out = s.getOutputStream();
      String head =
          (body == null ? "GET " : "POST ")
              + target
              + " HTTP/1.1\r\nHost: "
              + host
              + "\r\nAccept: "
              + accept
              + "\r\nConnection: close\r\n"
              + (body == null ? "" : "Content-Length: " + body.length + "\r\n")
              + "\r\n";
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      Thread writer = null;
      if (body != null) {
        writer =
            new Thread(
                () -> {
                  try {
                    out.write(body);
                    out.flush();
                  } catch (Exception ignored) {
                    // the reader reports what arrived
                  }
                });
        writer.start();
      }
      out.flush();
      InputStream in = s.getInputStream();
      byte[] all = in.readAllBytes();
      if (writer != null) {
        writer.join(10_000);
      }
      return all;
    }
  }

  private static int indexOf(byte[] a, byte[] b) {
    outer:
    for (int i = 0; i <= a.length - b.length; i++) {
      for (int j = 0; j < b.length; j++) {
        if (a[i + j] != b[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static String sha(byte[] b) throws Exception {
    return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
