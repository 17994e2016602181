package dev.cms.gateway.preview.boundary;

import dev.cms.domain.protocol.StreamRefusedException;
import dev.cms.gateway.agents.control.Agents;
import dev.cms.gateway.preview.control.HttpHeader;
import dev.cms.gateway.preview.control.HttpInput;
import dev.cms.gateway.preview.control.PreviewAddress;
import dev.cms.gateway.preview.control.PreviewProxy;
import dev.cms.gateway.preview.control.Relay;
import dev.cms.gateway.preview.control.RequestHead;
import dev.cms.gateway.preview.control.ResponseHead;
import dev.cms.gateway.preview.control.TcpPipe;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends preview requests to the app in the container; everything else goes on to the gateway. See
 * the package documentation for the addresses and the answers.
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class PreviewFilter extends HttpFilter {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = Logger.getLogger(PreviewFilter.class.getName());
  // how long a previewed app may take to answer a WebSocket upgrade (on the request thread)
  private static final long UPGRADE_HEAD_TIMEOUT_MS = 15_000;

  @Inject transient PreviewProxy proxy;
  @Inject transient dev.cms.gateway.processes.control.Processes processes;

  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    Optional<PreviewAddress> routed =
        proxy.route(req.getHeader("Host"), req.getRequestURI(), req.getQueryString());
    if (routed.isEmpty()) {
      chain.doFilter(req, res);
      return;
    }
    PreviewAddress a = routed.get();
    if (!proxy.admits(a)) {
      text(res, 404, "text/plain;charset=UTF-8", "Not Found\n");
      return;
    }
    if (a.missingSlash()) {
      res.setStatus(308);
      String q = req.getQueryString();
      res.setHeader("Location", a.prefix() + "/" + (q == null ? "" : "?" + q));
      res.setContentLength(0);
      return;
    }
    proxy.touch(a.containerId());
    Optional<Agents.Link> link = proxy.link(a.containerId());
    if (link.isEmpty()) {
      agentDown(req, res, a);
      return;
    }
    List<HttpHeader> headers = headersOf(req);
    boolean upgrade =
        "GET".equals(req.getMethod())
            && hasToken(req, "Upgrade", "websocket")
            && hasToken(req, "Connection", "upgrade");
    RequestHead head;
    try {
      head =
          RequestHead.forApp(
              req.getMethod(),
              a.target(),
              headers,
              new RequestHead.Forwarding(
                  req.getRemoteAddr(), req.getScheme(), proxy.hostFor(a.port()), upgrade));
    } catch (IllegalArgumentException e) {
      text(res, 400, "text/plain;charset=UTF-8", "Bad Request\n");
      return;
    }
    UnaryOperator<String> location = a::rewriteLocation;
    if (upgrade || !req.isAsyncSupported()) {
      // an upgrade must be made on the request thread: its waits are bounded (OPEN 5 s, the
      // app's 101 UPGRADE_HEAD_TIMEOUT_MS)
      TcpPipe pipe = openPipe(req, res, a, link.get());
      if (pipe == null) {
        return;
      }
      if (upgrade) {
        upgrade(req, res, pipe, head, location);
      } else {
        exchange(req, res, pipe, head, location);
      }
      return;
    }
    // everything else leaves the request thread at once: the OPEN and the exchange wait on a
    // bounded relay thread
    AtomicReference<TcpPipe> opened = new AtomicReference<>();
    AsyncContext ac = req.startAsync(req, res);
    ac.setTimeout(0);
    ac.addListener(
        new AsyncListener() {
          @Override
          public void onComplete(AsyncEvent event) {}

          @Override
          public void onTimeout(AsyncEvent event) {
            abort(opened.get(), "timed out");
          }

          @Override
          public void onError(AsyncEvent event) {
            abort(opened.get(), "the client connection failed");
          }

          @Override
          public void onStartAsync(AsyncEvent event) {}
        });
    try {
      proxy
          .executor()
          .execute(
              () -> {
                try {
                  TcpPipe pipe = openPipe(req, res, a, link.get());
                  if (pipe != null) {
                    opened.set(pipe);
                    exchange(req, res, pipe, head, location);
                  }
                } catch (IOException | RuntimeException e) {
                  LOG.log(Level.FINE, "preview exchange failed", e);
                } finally {
                  complete(ac);
                }
              });
    } catch (RejectedExecutionException e) {
      problem(res, 503, "Service Unavailable", "too many preview connections; try again later");
      complete(ac);
    }
  }

  private static void abort(TcpPipe pipe, String why) {
    if (pipe != null) {
      pipe.abort(why);
    }
  }

  private static void complete(AsyncContext ac) {
    try {
      ac.complete();
    } catch (IllegalStateException e) {
      LOG.log(Level.FINE, "completing a preview exchange", e);
    }
  }

  /** Opens the app's pipe, or answers the request and returns {@code null}. */
  private TcpPipe openPipe(
      HttpServletRequest req, HttpServletResponse res, PreviewAddress a, Agents.Link link)
      throws IOException {
    try {
      return TcpPipe.open(link.mux(), a.port(), PreviewProxy.OPEN_TIMEOUT_MS);
    } catch (StreamRefusedException e) {
      if (TcpPipe.isNotListening(e)) {
        notListening(req, res, a);
      } else if (String.valueOf(e.getMessage()).startsWith("too-many-streams")) {
        problem(res, 503, "Service Unavailable", "too many connections to this container");
      } else {
        LOG.fine(() -> "agent refused a preview connection: " + e.getMessage());
        problem(res, 502, "Bad Gateway", "the agent refused the connection to the app");
      }
    } catch (TimeoutException e) {
      problem(res, 504, "Gateway Timeout", "the container's agent did not answer in time");
    } catch (IOException e) {
      agentDown(req, res, a);
    }
    return null;
  }

  private void exchange(
      HttpServletRequest req,
      HttpServletResponse res,
      TcpPipe pipe,
      RequestHead head,
      UnaryOperator<String> location) {
    try {
      Relay.http(
          head,
          req.getInputStream(),
          pipe,
          location,
          sink(res),
          proxy.threads(),
          PreviewProxy.HEAD_TIMEOUT_MS);
    } catch (Relay.UpstreamException e) {
      badGateway(res, e);
    } catch (RejectedExecutionException e) {
      if (!res.isCommitted()) {
        try {
          problem(res, 503, "Service Unavailable", "too many preview connections; try again later");
        } catch (IOException again) {
          LOG.log(Level.FINE, "answering a refused preview exchange", again);
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.FINE, "preview exchange cut short", e);
    }
  }

  private void upgrade(
      HttpServletRequest req,
      HttpServletResponse res,
      TcpPipe pipe,
      RequestHead head,
      UnaryOperator<String> location)
      throws IOException, ServletException {
    HttpInput in = new HttpInput(pipe.in());
    ResponseHead answer;
    try {
      pipe.readTimeout(UPGRADE_HEAD_TIMEOUT_MS);
      pipe.out().write(head.bytes());
      answer = ResponseHead.readFinal(in);
      pipe.readTimeout(0);
    } catch (IOException e) {
      pipe.abort("no upgrade answer");
      badGateway(res, new Relay.UpstreamException("the app did not answer the upgrade: " + e, e));
      return;
    }
    if (answer.status() != 101) {
      try {
        Relay.respond(answer, in, head.method(), location, sink(res));
        pipe.finish();
      } catch (Relay.UpstreamException e) {
        pipe.abort("bad answer");
        badGateway(res, e);
      } catch (IOException e) {
        pipe.abort("relay failed");
        LOG.log(Level.FINE, "preview upgrade refusal cut short", e);
      }
      return;
    }
    res.setStatus(101);
    Set<String> drop = new HashSet<>(Set.of("connection", "upgrade", "content-length"));
    for (HttpHeader h : answer.headers()) {
      String n = h.name().toLowerCase(Locale.ROOT);
      if (!drop.contains(n) && !n.equals("transfer-encoding") && !n.equals("keep-alive")) {
        res.addHeader(h.name(), h.value());
      }
    }
    String up = answer.first("Upgrade");
    res.setHeader("Upgrade", up == null ? "websocket" : up);
    res.setHeader("Connection", "Upgrade");
    WebSocketTunnel tunnel = req.upgrade(WebSocketTunnel.class);
    tunnel.attach(pipe, in, proxy.threads());
    res.flushBuffer();
  }

  private static Relay.Sink sink(HttpServletResponse res) {
    return new Relay.Sink() {
      @Override
      public void head(int status, List<HttpHeader> headers, long contentLength) {
        res.setStatus(status);
        Set<String> seen = new HashSet<>();
        for (HttpHeader h : headers) {
          if (seen.add(h.name().toLowerCase(Locale.ROOT))) {
            res.setHeader(h.name(), h.value());
          } else {
            res.addHeader(h.name(), h.value());
          }
        }
        if (contentLength >= 0) {
          res.setContentLengthLong(contentLength);
        }
      }

      @Override
      public OutputStream body() throws IOException {
        return res.getOutputStream();
      }
    };
  }

  private static List<HttpHeader> headersOf(HttpServletRequest req) {
    List<HttpHeader> out = new ArrayList<>();
    for (String name : Collections.list(req.getHeaderNames())) {
      for (String value : Collections.list(req.getHeaders(name))) {
        out.add(new HttpHeader(name, value));
      }
    }
    return out;
  }

  private static boolean hasToken(HttpServletRequest req, String name, String token) {
    for (String v : Collections.list(req.getHeaders(name))) {
      for (String t : v.split(",")) {
        if (t.strip().equalsIgnoreCase(token)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean wantsHtml(HttpServletRequest req) {
    String accept = req.getHeader("Accept");
    return accept != null && accept.toLowerCase(Locale.ROOT).contains("text/html");
  }

  private void notListening(HttpServletRequest req, HttpServletResponse res, PreviewAddress a)
      throws IOException {
    res.setHeader("Retry-After", "1");
    var crashed =
        processes.forPort(a.containerId(), a.port()).filter(p -> "EXITED".equals(p.status()));
    if (crashed.isPresent()) {
      var p = crashed.get();
      String what =
          "The app started for port "
              + a.port()
              + " ("
              + p.command()
              + ") exited with code "
              + p.exitCode()
              + ". Start it again; this page retries by itself.";
      if (wantsHtml(req)) {
        text(
            res,
            503,
            "text/html;charset=UTF-8",
            page("The app on port " + a.port() + " exited", what, true));
      } else {
        problem(res, 503, "Service Unavailable", what);
      }
      return;
    }
    if (wantsHtml(req)) {
      text(res, 503, "text/html;charset=UTF-8", waitingPage(a.port()));
    } else {
      problem(
          res,
          503,
          "Service Unavailable",
          "nothing is listening on port " + a.port() + " in container " + a.containerId());
    }
  }

  private static void agentDown(HttpServletRequest req, HttpServletResponse res, PreviewAddress a)
      throws IOException {
    res.setHeader("Retry-After", "1");
    if (wantsHtml(req)) {
      text(
          res,
          503,
          "text/html;charset=UTF-8",
          page(
              "Waiting for the container",
              "The container's agent is not connected yet. This page retries by itself.",
              true));
    } else {
      problem(
          res,
          503,
          "Service Unavailable",
          "the container's agent is not connected (container " + a.containerId() + ")");
    }
  }

  /** The page shown while nothing listens on the port: it reloads itself every second. */
  static String waitingPage(int port) {
    return page(
        "Waiting for the app on port " + port + "…",
        "Nothing is listening on port "
            + port
            + " in the container yet. This page retries by"
            + " itself.",
        true);
  }

  private static String page(String title, String text, boolean refresh) {
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        + (refresh ? "<meta http-equiv=\"refresh\" content=\"1\">" : "")
        + "<title>"
        + escape(title)
        + "</title></head>\n<body style=\"font-family:sans-serif;margin:3em;color:#333\">"
        + "<h1 style=\"font-size:1.3em\">"
        + escape(title)
        + "</h1><p>"
        + escape(text)
        + "</p></body></html>\n";
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  private static void badGateway(HttpServletResponse res, Relay.UpstreamException e) {
    LOG.log(Level.FINE, "preview: bad gateway", e);
    if (res.isCommitted()) {
      return;
    }
    try {
      res.reset();
      // what failed, without the exception's own text (that stays in the log)
      String what = String.valueOf(e.getMessage());
      int colon = what.indexOf(": ");
      problem(res, 502, "Bad Gateway", colon > 0 ? what.substring(0, colon) : what);
    } catch (IOException | IllegalStateException ex) {
      LOG.log(Level.FINE, "could not answer 502", ex);
    }
  }

  private static void problem(HttpServletResponse res, int status, String title, String detail)
      throws IOException {
    String json =
        Json.createObjectBuilder()
            .add("type", "about:blank")
            .add("title", title)
            .add("status", status)
            .add("detail", detail)
            .build()
            .toString();
    text(res, status, "application/problem+json", json);
  }

  private static void text(HttpServletResponse res, int status, String type, String body)
      throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    res.setStatus(status);
    res.setContentType(type);
    res.setHeader("Cache-Control", "no-store");
    res.setContentLength(b.length);
    res.getOutputStream().write(b);
  }
}
