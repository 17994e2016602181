package dev.cms.console;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.omnifaces.cdi.Push;
import org.omnifaces.cdi.PushContext;

/**
 * The console's server-side subscription to the gateway's event stream ({@code GET
 * /api/v1/events}), one per signed-in user, shared by that user's console sessions: it reads the
 * Server-Sent Events with the credential of one of the user's live sessions, and pushes every
 * {@code container}, {@code process} and {@code port} event to the user's pages over the OmniFaces
 * socket channel {@value #CHANNEL} (to the user: {@code PushContext.send(message, userId)}), where
 * {@code console.js} asks its view to re-render what changed. No page polls.
 *
 * <p>Bounded: at most {@code CMS_CONSOLE_EVENT_STREAMS} (default 256) users' streams at once (more
 * users still work, without live updates, and a warning says so); lines and events of at most
 * {@value #MAX_LINE} bytes (a longer one ends the connection); a stream that says nothing for
 * {@value #READ_TIMEOUT_MS} ms (the gateway comments every 15 s) is reconnected. A lost stream
 * reconnects after 0.5 s, doubling to 5 s, with {@code Last-Event-ID}, so the gateway replays what
 * was missed; a refused credential (401) is dropped and the next session's is tried. The stream
 * ends when the user's last console session ends.
 */
@ApplicationScoped
public class LiveEvents {

  static final String CHANNEL = "cms";
  static final int MAX_LINE = 65_536;
  static final int READ_TIMEOUT_MS = 45_000;
  private static final Logger LOG = Logger.getLogger(LiveEvents.class.getName());

  @Inject Gateway gateway;

  @Inject
  @Push(channel = CHANNEL)
  PushContext push;

  @Inject
  @ConfigProperty(name = "cms.console.event.streams", defaultValue = "256")
  int maxStreams;

  @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
  ManagedThreadFactory threads;

  private final Map<String, OwnerStream> byUser = new ConcurrentHashMap<>();

  /** A console session of {@code userId} signed in with gateway session {@code token}. */
  void join(String userId, String token) {
    synchronized (byUser) {
      OwnerStream s = byUser.get(userId);
      if (s == null) {
        if (byUser.size() >= Math.max(1, maxStreams)) {
          LOG.warning(
              "no live updates for "
                  + userId
                  + ": "
                  + byUser.size()
                  + " event streams open (CMS_CONSOLE_EVENT_STREAMS)");
          return;
        }
        s = new OwnerStream(userId);
        byUser.put(userId, s);
        s.add(token);
        Thread t = threads.newThread(s::run);
        t.setName("cms-console-events-" + userId);
        t.setDaemon(true);
        s.thread = t;
        t.start();
      } else {
        s.add(token);
      }
    }
  }

  /** That console session ended: its credential is no longer used; the last one ends the stream. */
  void leave(String userId, String token) {
    synchronized (byUser) {
      OwnerStream s = byUser.get(userId);
      if (s != null && s.remove(token)) {
        byUser.remove(userId);
      }
    }
  }

  /** Users with an open stream now (for tests and logs). */
  int streams() {
    return byUser.size();
  }

  /** Sends a message to every page of the user (their console sessions, all tabs). */
  void toUser(String userId, JsonObject message) {
    try {
      push.send(message.toString(), userId);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "push to " + userId + " failed", e);
    }
  }

  @PreDestroy
  void closeAll() {
    synchronized (byUser) {
      byUser.values().forEach(OwnerStream::close);
      byUser.clear();
    }
  }

  /** One user's stream: its credentials, its reader thread, its connection and last event id. */
  private final class OwnerStream {
    final String userId;
    final Set<String> tokens = new LinkedHashSet<>(); // guarded by this
    volatile Thread thread;
    volatile boolean closed;
    volatile HttpURLConnection connection;
    volatile String usedToken;
    volatile String lastEventId;

    OwnerStream(String userId) {
      this.userId = userId;
    }

    synchronized void add(String token) {
      tokens.add(token);
    }

    /** Drops a credential; true when none is left and the stream was closed. */
    boolean remove(String token) {
      boolean last;
      synchronized (this) {
        tokens.remove(token);
        last = tokens.isEmpty();
      }
      if (last) {
        close();
      } else if (token.equals(usedToken)) {
        disconnect(); // its gateway session is about to close: go on with another
      }
      return last;
    }

    synchronized String token() {
      // the newest session's credential lives longest
      String t = null;
      for (String k : tokens) {
        t = k;
      }
      return t;
    }

    void close() {
      closed = true;
      disconnect();
      Thread t = thread;
      if (t != null) {
        t.interrupt();
      }
    }

    void disconnect() {
      HttpURLConnection c = connection;
      if (c != null) {
        c.disconnect();
      }
    }

    void run() {
      long delay = 500;
      while (!closed) {
        String token = token();
        if (token == null) {
          // every credential was refused: this stream ends, unless a session joined meanwhile
          synchronized (byUser) {
            if (token() == null) {
              closed = true;
              byUser.remove(userId, this);
              return;
            }
          }
          continue;
        }
        long opened = System.nanoTime();
        try {
          int status = read(token);
          if (status == 401) {
            LOG.fine(() -> "event stream of " + userId + ": credential refused, trying the next");
            synchronized (this) {
              tokens.remove(token);
            }
            continue;
          }
          if (status != 200) {
            LOG.info("event stream of " + userId + ": the gateway answered " + status);
          }
        } catch (IOException | RuntimeException e) {
          if (!closed) {
            LOG.log(Level.FINE, "event stream of " + userId + " lost", e);
          }
        }
        if (System.nanoTime() - opened > 30_000_000_000L) {
          delay = 500; // it ran a while: a fresh loss, not a refusal loop
        }
        try {
          Thread.sleep(delay);
        } catch (InterruptedException e) {
          return;
        }
        delay = Math.min(5000, delay * 2);
      }
    }

    /** One connection: reads events until it ends; answers the HTTP status. */
    private int read(String token) throws IOException {
      HttpURLConnection c =
          (HttpURLConnection)
              URI.create(gateway.base() + "/api/v1/events").toURL().openConnection();
      c.setConnectTimeout(5000);
      c.setReadTimeout(READ_TIMEOUT_MS);
      c.setRequestProperty("Authorization", "Bearer " + token);
      c.setRequestProperty("Accept", "text/event-stream");
      if (lastEventId != null) {
        c.setRequestProperty("Last-Event-ID", lastEventId);
      }
      connection = c;
      usedToken = token;
      try {
        if (closed) {
          return 0;
        }
        int status = c.getResponseCode();
        if (status != 200) {
          return status;
        }
        EventStreamReader reader = new EventStreamReader(MAX_LINE, lastEventId);
        try (InputStream in = new java.io.BufferedInputStream(c.getInputStream(), 8192)) {
          reader.read(in, this::deliver, () -> closed);
        } finally {
          lastEventId = reader.lastEventId();
        }
        return 200;
      } finally {
        connection = null;
        usedToken = null;
        c.disconnect();
      }
    }

    private void deliver(String name, String data) {
      if (!List.of("container", "process", "port").contains(name)) {
        return; // hello, and names a later gateway may add
      }
      JsonObject o;
      try (JsonReader r = Json.createReader(new StringReader(data))) {
        o = r.readObject();
      } catch (RuntimeException e) {
        LOG.fine(() -> "event stream of " + userId + ": data that is not a JSON object");
        return;
      }
      JsonObjectBuilder b = Json.createObjectBuilder().add("event", name);
      for (Map.Entry<String, JsonValue> e : o.entrySet()) {
        if (!e.getKey().equals("event")) {
          b.add(e.getKey(), e.getValue());
        }
      }
      toUser(userId, b.build());
    }
  }
}
