package dev.cms.gateway.agents.control;

import dev.cms.domain.data.DataLine;
import dev.cms.gateway.config.Settings;
import dev.cms.gateway.security.Secrets;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The agent listener ({@code CMS_AGENT_PORT}): the only port of the gateway a container may reach,
 * and it serves nothing but the agent endpoint. A plain NIO server, not the servlet container's
 * listener, so that the console, the API, health, metrics and OpenAPI are simply not there.
 *
 * <p>It reads each connection's HTTP request head (at most {@value #MAX_HEAD} bytes, within {@link
 * #HEAD_TIMEOUT_MILLIS} ms): a {@code GET /ws/v1/agent} upgrade is relayed, byte for byte, to the
 * servlet container's own listener on loopback, with the headers {@value #RELAY_HEADER} (a random
 * token of this process, which {@code AgentRelayFilter} requires on {@code /ws/v1/agent}) and
 * {@value #PEER_HEADER} (the agent's address) in place of any the agent sent; anything else is
 * answered 404 and closed. One selector thread serves every connection; each relayed connection
 * holds two buffers of {@value #BUFFER} bytes, and reads stop while the other side is behind (TCP
 * carries the back-pressure to the sender). At most {@code CMS_AGENT_MAX_CONNECTIONS} connections
 * at once; more are closed at accept.
 *
 * <p>A connection whose first bytes are {@code CMS-DATA/1 } is an agent's dial-back data connection
 * ({@link DataLine}): its one line (at most {@value DataLine#MAX_LINE} bytes, within the same
 * {@link #HEAD_TIMEOUT_MILLIS} ms) is read here, then the connection leaves the selector for {@link
 * DataConnections}, which authenticates and parks it.
 */
@Singleton
@Startup
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class AgentListener {

  /** Header carrying this process's relay token to the servlet container's listener. */
  public static final String RELAY_HEADER = "X-Cms-Agent-Relay";

  /** Header carrying the agent's address ({@code ip:port}) to the agent endpoint. */
  public static final String PEER_HEADER = "X-Cms-Agent-Peer";

  static final String PATH = "/ws/v1/agent";
  static final int MAX_HEAD = 8 * 1024;
  static final int BUFFER = 64 * 1024;
  static final long HEAD_TIMEOUT_MILLIS = 10_000;
  private static final byte[] NOT_FOUND = notFound();
  private static final Logger LOG = Logger.getLogger(AgentListener.class.getName());

  @Inject Settings settings;
  @Inject DataConnections data;

  @Resource ManagedThreadFactory threads;

  private final String token = Secrets.token(40);
  private final AtomicInteger open = new AtomicInteger();
  private volatile Selector selector;
  private volatile ServerSocketChannel server;
  private volatile Thread loop;
  private volatile String problem;
  private volatile int backendPort;
  private long lastRefusalLog;

  @PostConstruct
  void start() {
    InetSocketAddress at = new InetSocketAddress(settings.agentAddress(), settings.agentPort());
    try {
      selector = Selector.open();
      server = ServerSocketChannel.open();
      server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      server.bind(at, 256);
      server.configureBlocking(false);
      server.register(selector, SelectionKey.OP_ACCEPT);
      loop = threads.newThread(this::run);
      loop.setName("cms-agent-listener");
      loop.setDaemon(true);
      loop.start();
      LOG.info(
          "agent listener on "
              + at
              + ": serves "
              + PATH
              + " and agents' data connections only (at most "
              + settings.agentMaxConnections()
              + " connections)");
    } catch (IOException | RuntimeException e) {
      problem = "cannot listen on " + at + ": " + e.getMessage();
      LOG.severe("agent listener: " + problem + "; agents cannot connect (CMS_AGENT_PORT)");
      closeQuietly(server);
    }
  }

  @PreDestroy
  void stop() {
    Thread t = loop;
    if (t != null) {
      t.interrupt();
    }
    Selector s = selector;
    if (s != null) {
      s.wakeup();
    }
    closeQuietly(server);
  }

  /** The port agents dial. */
  public int port() {
    return settings.agentPort();
  }

  /** Why the listener is not serving; empty while it is. */
  public Optional<String> problem() {
    return Optional.ofNullable(problem);
  }

  /** Whether {@code value} of {@link #RELAY_HEADER} came from this listener. */
  public boolean isRelayToken(String value) {
    return value != null
        && MessageDigest.isEqual(
            value.getBytes(StandardCharsets.US_ASCII), token.getBytes(StandardCharsets.US_ASCII));
  }

  /** Connections open now (relayed or still sending their head). */
  public int openConnections() {
    return open.get();
  }

  private void run() {
    List<Pipe> pending = new ArrayList<>();
    List<Pipe> handoffs = new ArrayList<>();
    long nextSweep = System.currentTimeMillis() + 1000;
    while (!Thread.currentThread().isInterrupted() && server.isOpen()) {
      try {
        selector.select(1000);
      } catch (IOException e) {
        LOG.log(Level.WARNING, "agent listener: select failed", e);
        break;
      }
      Iterator<SelectionKey> it = selector.selectedKeys().iterator();
      while (it.hasNext()) {
        SelectionKey key = it.next();
        it.remove();
        try {
          if (!key.isValid()) {
            continue;
          }
          if (key.isAcceptable()) {
            accept(pending);
          } else {
            Pipe p = (Pipe) key.attachment();
            p.ready(key);
            if (p.hello != null) {
              handoffs.add(p);
            }
          }
        } catch (IOException | RuntimeException e) {
          Object a = key.attachment();
          if (a instanceof Pipe p) {
            LOG.log(Level.FINE, "agent connection from " + p.peer + " ended", e);
            p.close();
          }
        }
      }
      if (!handoffs.isEmpty()) {
        handOff(handoffs);
      }
      long now = System.currentTimeMillis();
      if (now >= nextSweep) {
        nextSweep = now + 1000;
        pending.removeIf(
            p -> {
              if (p.relaying || p.closed) {
                return true;
              }
              if (now > p.headDeadline) {
                LOG.fine(() -> "agent connection from " + p.peer + ": no request head in time");
                p.close();
                return true;
              }
              return false;
            });
      }
    }
    for (SelectionKey k : selector.keys()) {
      if (k.attachment() instanceof Pipe p) {
        p.close();
      }
    }
    closeQuietly(selector);
  }

  /**
   * Data connections whose hello line arrived leave the selector (their keys were cancelled; a
   * {@code selectNow} completes the deregistration) for {@link DataConnections}.
   */
  private void handOff(List<Pipe> handoffs) {
    try {
      selector.selectNow();
    } catch (IOException e) {
      LOG.log(Level.FINE, "agent listener: selectNow", e);
    }
    for (Pipe p : handoffs) {
      data.offer(p.client, p.hello, p.peer);
    }
    handoffs.clear();
  }

  private void accept(List<Pipe> pending) throws IOException {
    SocketChannel c;
    while ((c = server.accept()) != null) {
      if (open.get() >= settings.agentMaxConnections()) {
        long now = System.currentTimeMillis();
        if (now - lastRefusalLog > 60_000) {
          lastRefusalLog = now;
          LOG.warning(
              "agent listener: "
                  + open.get()
                  + " connections open, the most allowed (CMS_AGENT_MAX_CONNECTIONS): refusing more"
                  + " (logged once a minute)");
        }
        closeQuietly(c);
        continue;
      }
      c.configureBlocking(false);
      c.setOption(StandardSocketOptions.TCP_NODELAY, true);
      Pipe p = new Pipe(c);
      open.incrementAndGet();
      p.clientKey = c.register(selector, SelectionKey.OP_READ, p);
      pending.add(p);
    }
  }

  private int backendPort() {
    int p = backendPort;
    if (p == 0) {
      p = settings.httpPort();
      backendPort = p;
    }
    return p;
  }

  /** One agent connection and, once its head passed, its relay to the servlet container. */
  private final class Pipe {
    final SocketChannel client;
    final String peer;
    final long headDeadline = System.currentTimeMillis() + HEAD_TIMEOUT_MILLIS;
    ByteBuffer head = ByteBuffer.allocate(MAX_HEAD);
    ByteBuffer up; // client → backend, in fill mode
    ByteBuffer down; // backend → client, in fill mode
    SocketChannel backend;
    SelectionKey clientKey;
    SelectionKey backendKey;
    boolean relaying;
    boolean closed;
    boolean clientEof;
    boolean backendEof;
    ByteBuffer refusal;
    DataLine.Hello hello;

    Pipe(SocketChannel client) {
      this.client = client;
      String p;
      try {
        InetSocketAddress a = (InetSocketAddress) client.getRemoteAddress();
        p = a.getAddress().getHostAddress() + ":" + a.getPort();
      } catch (IOException | RuntimeException e) {
        p = "?";
      }
      this.peer = p;
    }

    void ready(SelectionKey key) throws IOException {
      if (refusal != null) {
        client.write(refusal);
        if (!refusal.hasRemaining()) {
          close();
        }
        return;
      }
      if (!relaying) {
        readHead();
        return;
      }
      if (key == backendKey && key.isConnectable()) {
        backend.finishConnect();
      }
      if (key.isValid() && key.isReadable()) {
        if (key == clientKey) {
          if (client.read(up) < 0) {
            clientEof = true;
          }
        } else if (backend.read(down) < 0) {
          backendEof = true;
        }
      }
      flush();
    }

    private void readHead() throws IOException {
      if (client.read(head) < 0) {
        close();
        return;
      }
      if (isDataConnection(head)) {
        readHello();
        return;
      }
      int end = indexOfBlankLine(head);
      if (end < 0) {
        if (!head.hasRemaining()) {
          refuse("request head above " + MAX_HEAD + " bytes");
        }
        return;
      }
      String text = new String(head.array(), 0, end, StandardCharsets.ISO_8859_1);
      String[] lines = text.split("\r\n");
      String[] requestLine = lines[0].split(" ");
      String target = requestLine.length == 3 ? requestLine[1] : "";
      int q = target.indexOf('?');
      String path = q < 0 ? target : target.substring(0, q);
      if (!"GET".equals(requestLine[0]) || !PATH.equals(path)) {
        refuse("not the agent endpoint: " + abbreviate(lines[0]));
        return;
      }
      StringBuilder out = new StringBuilder(end + 200).append(lines[0]).append("\r\n");
      for (int i = 1; i < lines.length; i++) {
        String lower = lines[i].toLowerCase(java.util.Locale.ROOT);
        if (!lower.startsWith("x-cms-agent-")) {
          out.append(lines[i]).append("\r\n");
        }
      }
      out.append(RELAY_HEADER).append(": ").append(token).append("\r\n");
      out.append(PEER_HEADER).append(": ").append(peer).append("\r\n\r\n");
      up = ByteBuffer.allocateDirect(BUFFER);
      down = ByteBuffer.allocateDirect(BUFFER);
      up.put(out.toString().getBytes(StandardCharsets.ISO_8859_1));
      head.flip();
      head.position(end + 4);
      up.put(head); // whatever the agent sent after the head
      head = null;
      relaying = true;
      backend = SocketChannel.open();
      backend.configureBlocking(false);
      backend.setOption(StandardSocketOptions.TCP_NODELAY, true);
      boolean connected =
          backend.connect(
              new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), backendPort()));
      backendKey =
          backend.register(
              selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, this);
      clientKey.interestOps(0);
      if (connected) {
        flush();
      }
    }

    /**
     * A data connection's first line: once it is complete and well formed (and nothing follows it),
     * the connection leaves the selector for {@link DataConnections}; else it is closed.
     */
    private void readHello() {
      byte[] a = head.array();
      int n = head.position();
      if (n < DataLine.MAGIC.length() + 1) {
        return;
      }
      int end = DataLine.lineEnd(a, 0, n);
      if (end < 0) {
        if (n >= DataLine.MAX_LINE) {
          LOG.fine(() -> "agent listener: data line above " + DataLine.MAX_LINE + " from " + peer);
          close();
        }
        return;
      }
      java.util.Optional<DataLine.Hello> h = DataLine.Hello.parse(DataLine.text(a, 0, end));
      if (h.isEmpty() || end != n) {
        LOG.fine(() -> "agent listener: malformed data line from " + peer);
        close();
        return;
      }
      hello = h.get();
      clientKey.cancel();
      // no longer this listener's: counted and bounded by DataConnections from now on
      closed = true;
      open.decrementAndGet();
      head = null;
    }

    /** Writes what each side has buffered, then sets what each key waits for. */
    private void flush() throws IOException {
      boolean backendConnected = backend.isConnected();
      if (backendConnected) {
        write(up, backend);
      }
      write(down, client);
      if (clientEof && up.position() == 0 && backendConnected) {
        if (backendEof && down.position() == 0) {
          close();
          return;
        }
        backend.shutdownOutput();
      }
      if (backendEof && down.position() == 0) {
        if (clientEof) {
          close();
          return;
        }
        client.shutdownOutput();
      }
      if (clientEof && backendEof) {
        close();
        return;
      }
      int ci = 0;
      if (!clientEof && up.hasRemaining()) {
        ci |= SelectionKey.OP_READ;
      }
      if (down.position() > 0) {
        ci |= SelectionKey.OP_WRITE;
      }
      int bi;
      if (!backendConnected) {
        bi = SelectionKey.OP_CONNECT;
      } else {
        bi = 0;
        if (!backendEof && down.hasRemaining()) {
          bi |= SelectionKey.OP_READ;
        }
        if (up.position() > 0) {
          bi |= SelectionKey.OP_WRITE;
        }
      }
      clientKey.interestOps(ci);
      backendKey.interestOps(bi);
    }

    private void write(ByteBuffer b, SocketChannel to) throws IOException {
      if (b.position() == 0) {
        return;
      }
      b.flip();
      try {
        to.write(b);
      } finally {
        b.compact();
      }
    }

    private void refuse(String why) {
      LOG.fine(() -> "agent listener: refused " + peer + ": " + why);
      refusal = ByteBuffer.wrap(NOT_FOUND);
      clientKey.interestOps(SelectionKey.OP_WRITE);
    }

    void close() {
      if (closed) {
        return;
      }
      closed = true;
      open.decrementAndGet();
      closeQuietly(client);
      closeQuietly(backend);
    }
  }

  private static byte[] notFound() {
    String body = "the agent listener serves the agent endpoint and nothing else\n";
    return ("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: "
            + body.length()
            + "\r\nConnection: close\r\n\r\n"
            + body)
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** Whether the bytes so far start (or may start) the data connection's magic word. */
  private static boolean isDataConnection(ByteBuffer b) {
    byte[] magic = (DataLine.MAGIC + " ").getBytes(StandardCharsets.US_ASCII);
    int n = Math.min(b.position(), magic.length);
    for (int i = 0; i < n; i++) {
      if (b.array()[i] != magic[i]) {
        return false;
      }
    }
    return n > 0;
  }

  private static int indexOfBlankLine(ByteBuffer b) {
    byte[] a = b.array();
    for (int i = 3; i < b.position(); i++) {
      if (a[i] == '\n' && a[i - 1] == '\r' && a[i - 2] == '\n' && a[i - 3] == '\r') {
        return i - 3;
      }
    }
    return -1;
  }

  private static String abbreviate(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < 80; i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c > 0x7e ? '?' : c);
    }
    return b.toString();
  }

  private static void closeQuietly(java.io.Closeable c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException e) {
        LOG.log(Level.FINE, "closing", e);
      }
    }
  }
}
