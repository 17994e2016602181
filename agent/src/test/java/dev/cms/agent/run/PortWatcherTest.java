package dev.cms.agent.run;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamKind;
import dev.cms.domain.protocol.StreamRefusedException;
import dev.cms.domain.testing.MemoryLink;
import java.io.BufferedReader;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The port watcher, on fake files and on this machine's {@code /proc/net/tcp*}. */
@Timeout(30)
class PortWatcherTest {
  private static final String HEADER =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout"
          + " inode\n";

  @TempDir Path dir;

  private final ExecutorService workers = Executors.newCachedThreadPool();
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    workers.shutdownNow();
  }

  private static String line(int sl, String local, String state) {
    return line(sl, local, state, 1000);
  }

  private static String line(int sl, String local, String state, int uid) {
    return String.format(
        "%4d: %s 00000000:0000 %s 00000000:00000000 00:00000000 00000000 %5d        0 12345 1"
            + " 0000000000000000 100 0 0 10 0\n",
        sl, local, state, uid);
  }

  private static boolean littleEndian() {
    return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
  }

  @Test
  void parsesListeningLoopbackAndWildcardPorts() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(littleEndian());
    String tcp =
        HEADER
            + line(0, "0100007F:1F90", "0A") // 127.0.0.1:8080
            + line(1, "00000000:0BB8", "0A") // 0.0.0.0:3000
            + line(2, "0500A8C0:0050", "0A") // 192.168.0.5:80: not reachable through loopback
            + line(3, "0100007F:1F91", "01") // established, not listening
            + line(4, "0101007F:1389", "0A") // 127.0.1.1:5001
            + line(5, "0B00007F:A5C7", "0A", 0) // the engine's DNS resolver, 127.0.0.11:42439
            + line(6, "00000000:2328", "0A", 0) // 0.0.0.0:9000 of root: not the user's
            + line(7, "0B00007F:2329", "0A"); // 127.0.0.11:9001: the resolver's address
    String tcp6 =
        HEADER
            + line(0, "00000000000000000000000001000000:1F92", "0A") // ::1:8082
            + line(1, "00000000000000000000000000000000:0BB8", "0A") // :::3000 (again)
            + line(2, "0000000000000000FFFF00000100007F:1F93", "0A") // ::ffff:127.0.0.1:8083
            + line(3, "B80D0120000000000000000001000000:1F94", "0A"); // 2001:db8::1:8084
    Set<Integer> ports = new TreeSet<>();
    PortWatcher.parse(new BufferedReader(new StringReader(tcp)), ports, true);
    PortWatcher.parse(new BufferedReader(new StringReader(tcp6)), ports, true);
    assertThat(ports).containsExactly(3000, 5001, 8080, 8082, 8083);
  }

  @Test
  void fakeFilesThroughAPortsStream() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(littleEndian());
    Path tcp = dir.resolve("tcp");
    replace(tcp, HEADER + line(0, "0100007F:1F90", "0A"));
    PortWatcher watcher =
        new PortWatcher(List.of(tcp, dir.resolve("missing-tcp6")), Duration.ofMillis(20));
    closing.add(watcher);
    MemoryLink link = link(watcher);
    Lines a = open(link);
    Lines b = open(link);
    a.await("snapshot 8080");
    b.await("snapshot 8080");
    replace(tcp, HEADER + line(0, "0100007F:1F90", "0A") + line(1, "00000000:0BB8", "0A"));
    a.await("open 3000");
    b.await("open 3000");
    replace(tcp, HEADER + line(0, "00000000:0BB8", "0A"));
    a.await("closed 8080");
    b.await("closed 8080");
    assertThat(a.text()).isEqualTo("snapshot 8080\nopen 3000\nclosed 8080\n");
    // a late subscriber gets the set of now
    Lines c = open(link);
    c.await("snapshot 3000");
    a.stream.close();
    a.closed.get(5, TimeUnit.SECONDS);
  }

  @Test
  void seesAServerSocketOpenAndCloseWithinASecond() throws Exception {
    PortWatcher watcher = new PortWatcher();
    closing.add(watcher);
    MemoryLink link = link(watcher);
    Lines l = open(link);
    l.await("snapshot");
    ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    int port = server.getLocalPort();
    long t0 = System.nanoTime();
    l.await("open " + port + "\n", Duration.ofSeconds(1));
    long opened = System.nanoTime();
    server.close();
    l.await("closed " + port + "\n", Duration.ofSeconds(1));
    long closed = System.nanoTime();
    assertThat(Duration.ofNanos(opened - t0)).isLessThan(Duration.ofSeconds(1));
    assertThat(Duration.ofNanos(closed - opened)).isLessThan(Duration.ofSeconds(1));
    assertThat(watcher.listening()).doesNotContain(port);
    try (ServerSocket wildcard = new ServerSocket(0)) { // :: (or 0.0.0.0)
      assertThat(watcher.listening()).contains(wildcard.getLocalPort());
    }
  }

  private MemoryLink link(PortWatcher watcher) {
    MemoryLink link =
        new MemoryLink(
            64 * 1024,
            open -> {
              throw new StreamRefusedException(ErrorCode.UNKNOWN_KIND, "gateway accepts nothing");
            },
            open -> PortStreams.accept(open, watcher, workers));
    closing.add(link);
    return link;
  }

  @Test
  void aParameterIsRefused() throws Exception {
    MemoryLink link = link(new PortWatcher());
    assertThat(link.gateway.open(StreamKind.PORTS.wire(), Map.of("since", "0"), new Lines()))
        .failsWithin(5, TimeUnit.SECONDS)
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .havingCause()
        .isInstanceOf(StreamRefusedException.class)
        .withMessage("unknown parameter since");
  }

  private static Lines open(MemoryLink link) throws Exception {
    Lines l = new Lines();
    l.stream = link.gateway.open(StreamKind.PORTS.wire(), Map.of(), l).get(5, TimeUnit.SECONDS);
    return l;
  }

  /** The gateway's side of a ports stream. */
  static final class Lines implements StreamHandler {
    private final StringBuilder text = new StringBuilder();
    final java.util.concurrent.CompletableFuture<Void> closed =
        new java.util.concurrent.CompletableFuture<>();
    volatile Stream stream;

    @Override
    public synchronized void onData(Stream s, byte[] data) {
      text.append(new String(data, UTF_8));
      notifyAll();
    }

    @Override
    public void onClose(Stream s) {
      closed.complete(null);
    }

    synchronized String text() {
      return text.toString();
    }

    void await(String needle) throws InterruptedException {
      await(needle, Duration.ofSeconds(5));
    }

    synchronized void await(String needle, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!text.toString().contains(needle)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no " + needle.strip() + " within " + timeout + " in:\n" + text);
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }
  }

  /**
   * Replaces the file at once, as the kernel's /proc files are: the watcher never reads half of it.
   */
  private static void replace(Path file, String content) throws java.io.IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, content);
    Files.move(
        tmp,
        file,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }
}
