package dev.cms.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/v1/events}: an owner's status, process and port events, live, and only theirs.
 */
class EventsIT {

  /** One Server-Sent Event as received. */
  record Sse(String id, String name, JsonNode data) {}

  /** A subscription read on its own thread into a queue. */
  static final class Subscription implements AutoCloseable {
    final LinkedBlockingQueue<Sse> events = new LinkedBlockingQueue<>();
    final List<Sse> seen = new ArrayList<>();
    final CompletableFuture<HttpResponse<Stream<String>>> response;

    Subscription(Gateway gw, String key, String lastEventId) {
      HttpRequest.Builder r =
          HttpRequest.newBuilder(URI.create(gw.base() + "/api/v1/events"))
              .header("Authorization", "Bearer " + key)
              .header("Accept", "text/event-stream");
      if (lastEventId != null) {
        r.header("Last-Event-ID", lastEventId);
      }
      response =
          HttpClient.newHttpClient().sendAsync(r.build(), HttpResponse.BodyHandlers.ofLines());
      response.thenAcceptAsync(
          res -> {
            String id = null;
            String name = null;
            StringBuilder data = new StringBuilder();
            for (String line : (Iterable<String>) res.body()::iterator) {
              if (line.isEmpty()) {
                if (name != null) {
                  try {
                    events.add(new Sse(id, name, Gateway.JSON.readTree(data.toString())));
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                }
                id = null;
                name = null;
                data.setLength(0);
              } else if (line.startsWith("id:")) {
                id = line.substring(3).strip();
              } else if (line.startsWith("event:")) {
                name = line.substring(6).strip();
              } else if (line.startsWith("data:")) {
                data.append(line.substring(5).strip());
              }
            }
          });
    }

    Sse await(Predicate<Sse> match, Duration timeout) throws InterruptedException {
      Instant deadline = Instant.now().plus(timeout);
      for (Sse e : seen) {
        if (match.test(e)) {
          return e;
        }
      }
      while (Instant.now().isBefore(deadline)) {
        Sse e = events.poll(50, TimeUnit.MILLISECONDS);
        if (e != null) {
          seen.add(e);
          if (match.test(e)) {
            return e;
          }
        }
      }
      throw new AssertionError("no matching event within " + timeout + "; saw " + seen);
    }

    List<Sse> drained() {
      events.drainTo(seen);
      return seen;
    }

    @Override
    public void close() {
      response.thenAccept(r -> r.body().close());
      response.cancel(true);
    }
  }

  private static Predicate<Sse> container(String id, String status) {
    return e ->
        e.name().equals("container")
            && e.data().get("container").asText().equals(id)
            && e.data().get("status").asText().equals(status);
  }

  @Test
  void anOwnerSeesItsContainersStatusProcessesAndPortsLiveAndNoOneElseDoes() throws Exception {
    Gateway gw = Gateway.shared();
    try (Subscription mine = new Subscription(gw, Gateway.KEY1, null);
        Subscription theirs = new Subscription(gw, Gateway.KEY2, null)) {
      mine.await(e -> e.name().equals("hello"), Duration.ofSeconds(10));
      theirs.await(e -> e.name().equals("hello"), Duration.ofSeconds(10));
      String id = gw.create(Gateway.KEY1).get("id").asText();
      try {
        mine.await(container(id, "RUNNING"), Duration.ofSeconds(10));

        var started =
            gw.post(
                "/api/v1/containers/" + id + "/processes",
                Gateway.KEY1,
                "{\"command\":\"node -e \\\"require('http').createServer(()=>{}).listen(4321);"
                    + "setTimeout(()=>process.exit(7),1500)\\\"\"}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
        String pid = Gateway.JSON.readTree(started.body()).get("id").asText();
        mine.await(
            e -> e.name().equals("port") && e.data().get("port").asInt() == 4321,
            Duration.ofSeconds(15));
        Sse exited =
            mine.await(
                e ->
                    e.name().equals("process")
                        && e.data().get("id").asText().equals(pid)
                        && e.data().get("status").asText().equals("EXITED"),
                Duration.ofSeconds(15));
        assertThat(exited.data().get("exitCode").asInt()).isEqualTo(7);

        // a stop through the API shows within a second
        var stop = gw.post("/api/v1/containers/" + id + "/stop", Gateway.KEY1, null);
        assertThat(stop.statusCode()).as(stop.body()).isEqualTo(200);
        Instant stopped = Instant.now();
        mine.await(container(id, "STOPPED"), Duration.ofSeconds(5));
        assertThat(Duration.between(stopped, Instant.now())).isLessThan(Duration.ofSeconds(1));

        // a reconnect with the last id it saw gets what it missed
        String before = mine.seen.get(1).id();
        try (Subscription again = new Subscription(gw, Gateway.KEY1, before)) {
          again.await(container(id, "STOPPED"), Duration.ofSeconds(10));
        }
      } finally {
        gw.delete("/api/v1/containers/" + id, Gateway.KEY1);
      }
      mine.await(container(id, "DELETED"), Duration.ofSeconds(10));
      Thread.sleep(300);
      assertThat(theirs.drained())
          .noneMatch(
              e -> e.data().has("container") && e.data().get("container").asText().equals(id));
    }
  }

  /** The console's own use: a user's session credential gets that user's events, only theirs. */
  @Test
  void aUsersSessionCredentialStreamsThatUsersContainersOnly() throws Exception {
    Gateway gw = Gateway.shared();
    String admin = gw.adminToken();
    for (String name : List.of("erin", "frank")) {
      var made =
          gw.post(
              "/api/v1/users",
              admin,
              "{\"name\":\""
                  + name
                  + "\",\"password\":\""
                  + name
                  + "-password-9\",\"role\":\"user\"}");
      assertThat(made.statusCode()).as(made.body()).isIn(201, 409);
    }
    String erin = gw.sessionToken("erin", "erin-password-9");
    String frank = gw.sessionToken("frank", "frank-password-9");
    try (Subscription hers = new Subscription(gw, erin, null);
        Subscription his = new Subscription(gw, frank, null)) {
      hers.await(e -> e.name().equals("hello"), Duration.ofSeconds(10));
      his.await(e -> e.name().equals("hello"), Duration.ofSeconds(10));
      String id = gw.create(erin).get("id").asText();
      try {
        hers.await(container(id, "RUNNING"), Duration.ofSeconds(10));
      } finally {
        gw.delete("/api/v1/containers/" + id, erin);
      }
      hers.await(container(id, "DELETED"), Duration.ofSeconds(10));
      Thread.sleep(300);
      assertThat(his.drained())
          .noneMatch(
              e -> e.data().has("container") && e.data().get("container").asText().equals(id));
    }
  }

  @Test
  void withoutAKeyThereIsNoStream() throws Exception {
    Gateway gw = Gateway.shared();
    assertThat(gw.get("/api/v1/events", null).statusCode()).isEqualTo(401);
  }
}
