package dev.cms.gateway.preview.control;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Relays one HTTP exchange over a {@link TcpPipe}, independent of the servlet API: writes the
 * request head, streams the request body on its own thread (the app may answer while it still
 * reads), parses the response head and streams the response body, flushing whenever the app has
 * nothing more ready (so event streams and progressive pages arrive at once).
 */
public final class Relay {

  private static final Logger LOG = Logger.getLogger(Relay.class.getName());
  private static final int BUFFER = 32 * 1024;

  private Relay() {}

  /** Where the response goes (the servlet response, or a test double). */
  public interface Sink {
    /**
     * Sends the status and header fields (hop-by-hop fields already removed).
     *
     * @param contentLength the body's length, or -1 when unknown (the container chunks it)
     */
    void head(int status, List<HttpHeader> headers, long contentLength) throws IOException;

    /** The body's output stream; called after {@link #head}. */
    OutputStream body() throws IOException;
  }

  /** The exchange failed before any of the response went to the client: answer 502. */
  public static final class UpstreamException extends IOException {
    private static final long serialVersionUID = 1L;

    public UpstreamException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The client went away or its side failed: nothing more can be sent to it. */
  public static final class ClientException extends IOException {
    private static final long serialVersionUID = 1L;

    public ClientException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Runs a whole exchange. Leaves the pipe finished or aborted.
   *
   * @param clientBody the request body (read only when {@code head} says there is one)
   * @param location rewrites {@code Location} headers (the path form adds its prefix)
   * @throws UpstreamException when the app failed before the response head was passed on
   * @throws ClientException when the client went away
   * @throws IOException when the app failed in the middle of the body (the response is cut short)
   */
  public static void http(
      RequestHead head,
      InputStream clientBody,
      TcpPipe pipe,
      java.util.function.UnaryOperator<String> location,
      Sink sink,
      ThreadFactory threads,
      long headTimeoutMillis)
      throws IOException {
    try {
      try {
        pipe.out().write(head.bytes());
      } catch (IOException e) {
        throw new UpstreamException("could not send the request to the app: " + e.getMessage(), e);
      }
      RequestHead.Body body = RequestHead.bodyOf(head.headers());
      if (body != RequestHead.Body.NONE) {
        Thread upload =
            threads.newThread(() -> upload(clientBody, body == RequestHead.Body.CHUNKED, pipe));
        upload.setName("preview-upload");
        upload.start();
      }
      HttpInput in = new HttpInput(pipe.in());
      ResponseHead response;
      pipe.readTimeout(headTimeoutMillis);
      try {
        response = ResponseHead.readFinal(in);
      } catch (IOException e) {
        throw new UpstreamException("the app did not answer with HTTP: " + e.getMessage(), e);
      }
      pipe.readTimeout(0);
      respond(response, in, head.method(), location, sink);
      pipe.finish();
    } catch (IOException | RuntimeException e) {
      pipe.abort(e instanceof ClientException ? "the client went away" : "relay failed");
      throw e;
    }
  }

  /**
   * Sends a parsed response and its body to the sink.
   *
   * @throws UpstreamException when the head is unusable (before anything was sent)
   * @throws ClientException when writing to the client failed
   */
  public static void respond(
      ResponseHead response,
      HttpInput in,
      String method,
      java.util.function.UnaryOperator<String> location,
      Sink sink)
      throws IOException {
    ResponseHead.Framing framing;
    InputStream body;
    long length;
    try {
      framing = response.framing(method);
      body = response.body(in, method);
      length = framing == ResponseHead.Framing.LENGTH ? response.contentLength() : -1;
    } catch (IOException e) {
      throw new UpstreamException("the app's response is malformed: " + e.getMessage(), e);
    }
    List<HttpHeader> headers = responseHeaders(response, framing, location);
    OutputStream out;
    try {
      sink.head(response.status(), headers, length);
      out = sink.body();
    } catch (IOException e) {
      throw new ClientException("the client went away: " + e.getMessage(), e);
    }
    byte[] buf = new byte[BUFFER];
    while (true) {
      int n = body.read(buf); // an IOException here: the app failed mid-body
      if (n < 0) {
        break;
      }
      // coalesce what is already there, without waiting for more
      for (int more; n < buf.length && body.available() > 0; n += more) {
        more = body.read(buf, n, buf.length - n);
        if (more < 0) {
          break;
        }
      }
      try {
        out.write(buf, 0, n);
        if (body.available() == 0) {
          out.flush();
        }
      } catch (IOException e) {
        throw new ClientException("the client went away: " + e.getMessage(), e);
      }
    }
    try {
      out.flush();
    } catch (IOException e) {
      throw new ClientException("the client went away: " + e.getMessage(), e);
    }
  }

  /**
   * The response fields to pass on: without hop-by-hop fields, without {@code Content-Length} where
   * the body is re-framed, with {@code Location} rewritten.
   */
  static List<HttpHeader> responseHeaders(
      ResponseHead response,
      ResponseHead.Framing framing,
      java.util.function.UnaryOperator<String> location) {
    Set<String> drop = HttpHeader.hopByHop(response.headers());
    List<HttpHeader> out = new ArrayList<>();
    for (HttpHeader h : response.headers()) {
      String name = h.name().toLowerCase(java.util.Locale.ROOT);
      if (drop.contains(name)) {
        continue;
      }
      if (name.equals("content-length") && framing != ResponseHead.Framing.NONE) {
        continue;
      }
      if (name.equals("location") && location != null) {
        out.add(new HttpHeader(h.name(), location.apply(h.value())));
        continue;
      }
      out.add(h);
    }
    return out;
  }

  /** Copies the client's request body to the app, chunking it when its length is unknown. */
  static void upload(InputStream clientBody, boolean chunked, TcpPipe pipe) {
    byte[] buf = new byte[BUFFER];
    OutputStream out = pipe.out();
    try {
      while (true) {
        int n;
        try {
          n = clientBody.read(buf);
        } catch (IOException e) {
          pipe.abort("the client's request body failed: " + e.getMessage());
          return;
        }
        if (n < 0) {
          break;
        }
        if (n == 0) {
          continue;
        }
        if (chunked) {
          byte[] size = (Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII);
          byte[] chunk = new byte[size.length + n + 2];
          System.arraycopy(size, 0, chunk, 0, size.length);
          System.arraycopy(buf, 0, chunk, size.length, n);
          chunk[chunk.length - 2] = '\r';
          chunk[chunk.length - 1] = '\n';
          out.write(chunk);
        } else {
          out.write(buf, 0, n);
        }
      }
      if (chunked) {
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      // no half-close: servers such as Go's net/http take a FIN as the client going away;
      // the body is framed, and the pipe is closed once the response is through
    } catch (IOException e) {
      // the app stopped reading (it answered early, or closed): the response tells the rest
      LOG.log(Level.FINE, "request body not fully sent to the app", e);
    }
  }

  /**
   * Relays raw bytes both ways between a client connection and the pipe (after a WebSocket
   * upgrade), one thread per direction. When either direction ends, both ends are closed and {@code
   * onEnd} runs once.
   *
   * @param fromApp the app's bytes (an {@link HttpInput} that may still hold bytes read past the
   *     101 head)
   */
  public static void tunnel(
      InputStream fromClient,
      OutputStream toClient,
      InputStream fromApp,
      TcpPipe pipe,
      ThreadFactory threads,
      Runnable onEnd) {
    AtomicBoolean ended = new AtomicBoolean();
    Runnable end =
        () -> {
          if (ended.compareAndSet(false, true)) {
            pipe.finish();
            try {
              toClient.close();
            } catch (IOException e) {
              LOG.log(Level.FINE, "closing the client side of a tunnel", e);
            }
            onEnd.run();
          }
        };
    Thread up =
        threads.newThread(
            () -> {
              byte[] buf = new byte[BUFFER];
              try {
                for (int n; (n = fromClient.read(buf)) >= 0; ) {
                  if (n > 0) {
                    pipe.out().write(buf, 0, n);
                  }
                }
              } catch (IOException e) {
                LOG.log(Level.FINE, "tunnel client to app ended", e);
              } finally {
                end.run();
              }
            });
    Thread down;
    try {
      down =
          threads.newThread(
              () -> {
                byte[] buf = new byte[BUFFER];
                try {
                  for (int n; (n = fromApp.read(buf)) >= 0; ) {
                    toClient.write(buf, 0, n);
                    if (fromApp.available() == 0) {
                      toClient.flush();
                    }
                  }
                  toClient.flush();
                } catch (IOException e) {
                  LOG.log(Level.FINE, "tunnel app to client ended", e);
                } finally {
                  end.run();
                }
              });
    } catch (RuntimeException e) {
      // no thread for the second direction (the relay bound): end the tunnel; the first thread
      // still runs, sees the ends closed and gives its thread back
      pipe.abort("no relay thread");
      end.run();
      up.start();
      throw e;
    }
    up.setName("preview-ws-up");
    down.setName("preview-ws-down");
    up.start();
    down.start();
  }
}
