package dev.cms.agent.files;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamKind;
import dev.cms.domain.protocol.StreamRefusedException;
import dev.cms.domain.testing.MemoryLink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream.Builder;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The four file stream kinds, through a gateway mux and an agent mux joined in memory. */
@Timeout(60)
class FileStreamsTest {
  private static final int WINDOW = 64 * 1024;
  private static final long WAIT_S = 20;

  @TempDir Path tmp;

  private final AtomicInteger threads = new AtomicInteger();
  private final ExecutorService workers =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "files-test-worker-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
  private MemoryLink link;

  @BeforeEach
  void connect() {
    link = link(WINDOW, workers);
  }

  @AfterEach
  void disconnect() {
    link.close();
    workers.shutdownNow();
    assertThat(link.errors).isEmpty();
  }

  // --- the gateway's side ----------------------------------------------------------------------

  /** Collects what the agent sends; closes its own side when the agent closed. */
  static final class Client implements StreamHandler {
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    final CompletableFuture<String> reset = new CompletableFuture<>();

    @Override
    public synchronized void onData(Stream s, byte[] data) {
      received.writeBytes(data);
    }

    @Override
    public void onClose(Stream s) {
      closed.complete(null);
    }

    @Override
    public void onReset(Stream s, int code, String reason) {
      reset.complete(code + " " + reason);
      closed.completeExceptionally(new IOException("reset: " + reason));
    }

    synchronized byte[] bytes() {
      return received.toByteArray();
    }

    List<String> lines() {
      String text = new String(bytes(), UTF_8);
      assertThat(text).endsWith("\n");
      return List.of(text.substring(0, text.length() - 1).split("\n", -1));
    }
  }

  private Stream open(String kind, Map<String, String> params, Client client) throws Exception {
    return link.gateway.open(kind, params, client).get(WAIT_S, TimeUnit.SECONDS);
  }

  private StreamRefusedException refusal(String kind, Map<String, String> params) {
    try {
      link.gateway.open(kind, params, new Client()).get(WAIT_S, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(StreamRefusedException.class);
      return (StreamRefusedException) e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("the OPEN was accepted");
  }

  /** Uploads {@code data} in chunks, closes, and returns the agent's result lines. */
  private List<String> upload(
      String kind, Map<String, String> params, byte[] data, int chunk, long pauseMs)
      throws Exception {
    Client client = new Client();
    Stream s = open(kind, params, client);
    for (int off = 0; off < data.length; off += chunk) {
      s.write(data, off, Math.min(chunk, data.length - off));
      if (pauseMs > 0) {
        Thread.sleep(pauseMs);
      }
    }
    s.close();
    client.closed.get(WAIT_S, TimeUnit.SECONDS);
    return client.lines();
  }

  private List<String> upload(String kind, Map<String, String> params, byte[] data)
      throws Exception {
    return upload(kind, params, data, 32 * 1024, 0);
  }

  private byte[] download(String kind, String path) throws Exception {
    Client client = new Client();
    Stream s = open(kind, Map.of("path", path), client);
    client.closed.get(WAIT_S, TimeUnit.SECONDS);
    s.close();
    return client.bytes();
  }

  private static String result(List<String> lines) {
    return lines.get(lines.size() - 1);
  }

  private static String rule(List<String> lines) {
    String last = result(lines);
    assertThat(last).startsWith("error ");
    return last.split(" ", 3)[1];
  }

  // --- file-write ------------------------------------------------------------------------------

  @Test
  void aNestedFileLandsWithItsModeAndParentsAreCreated() throws Exception {
    Path target = tmp.resolve("a/b/c/run.sh");
    byte[] content = "#!/bin/sh\necho hi\n".getBytes(UTF_8);
    List<String> lines =
        upload(
            StreamKind.FILE_WRITE.wire(),
            Map.of("path", target.toString(), "mode", "755", "maxBytes", "1000"),
            content);
    assertThat(lines).containsExactly("ok " + content.length + " 1");
    assertThat(Files.readAllBytes(target)).isEqualTo(content);
    assertThat(mode(target)).isEqualTo("rwxr-xr-x");
    assertThat(mode(tmp.resolve("a"))).isEqualTo("rwxr-xr-x");
    assertThat(mode(tmp.resolve("a/b/c"))).isEqualTo("rwxr-xr-x");
    assertThat(debris(tmp)).isEmpty();

    // default mode 644; an empty file is fine
    Path empty = tmp.resolve("a/empty");
    assertThat(
            upload(
                StreamKind.FILE_WRITE.wire(),
                Map.of("path", empty.toString(), "maxBytes", "0"),
                new byte[0]))
        .containsExactly("ok 0 1");
    assertThat(mode(empty)).isEqualTo("rw-r--r--");
    assertThat(Files.size(empty)).isZero();
  }

  @Test
  void anOverwriteIsAtomicForReaders() throws Exception {
    Path target = tmp.resolve("data.bin");
    byte[] old = filled(300 * 1024, (byte) 'o');
    byte[] fresh = filled(1536 * 1024, (byte) 'n');
    Files.write(target, old);
    AtomicBoolean stop = new AtomicBoolean();
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger reads = new AtomicInteger();
    Thread reader =
        new Thread(
            () -> {
              while (!stop.get()) {
                try {
                  byte[] now = Files.readAllBytes(target);
                  reads.incrementAndGet();
                  if (!Arrays.equals(now, old) && !Arrays.equals(now, fresh)) {
                    seen.add("a torn read of " + now.length + " bytes");
                  }
                } catch (NoSuchFileException e) {
                  seen.add("the file was missing");
                } catch (IOException e) {
                  seen.add(e.toString());
                }
              }
            });
    reader.start();
    try {
      List<String> lines =
          upload(
              StreamKind.FILE_WRITE.wire(),
              Map.of("path", target.toString(), "maxBytes", String.valueOf(fresh.length)),
              fresh,
              16 * 1024,
              3);
      assertThat(lines).containsExactly("progress 1048576", "ok " + fresh.length + " 1");
      // keep reading a moment after the switch
      Thread.sleep(50);
    } finally {
      stop.set(true);
      reader.join();
    }
    assertThat(seen).isEmpty();
    assertThat(reads.get()).isGreaterThan(10);
    assertThat(Files.readAllBytes(target)).isEqualTo(fresh);
    assertThat(debris(tmp)).isEmpty();
  }

  @Test
  void fileWriteRulesLeaveEverythingAsItWas() throws Exception {
    Files.writeString(tmp.resolve("keep.txt"), "keep");
    Files.createDirectories(tmp.resolve("dir/sub"));
    Files.writeString(tmp.resolve("dir/sub/x"), "x");
    Files.writeString(tmp.resolve("file"), "f");
    Map<String, String> before = snapshot(tmp);

    assertThat(writeRule("relative/path", Map.of(), 10)).isEqualTo("bad-path");
    assertThat(writeRule(tmp + "/dir/../keep.txt", Map.of(), 10)).isEqualTo("bad-path");
    assertThat(writeRule(tmp + "/a\\b", Map.of(), 10)).isEqualTo("bad-path");
    assertThat(writeRule(tmp + "/a\0b", Map.of(), 10)).isEqualTo("bad-path");
    assertThat(writeRule("", Map.of(), 10)).isEqualTo("bad-path");
    assertThat(writeRule("/", Map.of(), 10)).isEqualTo("bad-path");
    assertThat(writeRule(tmp + "/dir", Map.of(), 10)).isEqualTo("is-a-directory");
    assertThat(writeRule(tmp + "/file/below", Map.of(), 10)).isEqualTo("not-a-directory");
    assertThat(writeRule(tmp + "/keep.txt", Map.of("maxBytes", "100"), 101)).isEqualTo("too-large");
    assertThat(writeRule(tmp + "/keep.txt", Map.of("maxBytes", "100000"), 300_000))
        .isEqualTo("too-large");
    assertThat(writeRule(tmp + "/keep.txt", Map.of("mode", "4755"), 1)).isEqualTo("bad-param");
    assertThat(writeRule(tmp + "/keep.txt", Map.of("mode", "9"), 1)).isEqualTo("bad-param");
    assertThat(writeRule(tmp + "/keep.txt", Map.of("maxBytes", "-1"), 1)).isEqualTo("bad-param");

    assertThat(snapshot(tmp)).isEqualTo(before);
    assertThat(debris(tmp)).isEmpty();
  }

  private String writeRule(String path, Map<String, String> extra, int size) throws Exception {
    Map<String, String> params = new TreeMap<>(Map.of("path", path, "maxBytes", "1000"));
    params.putAll(extra);
    return rule(upload(StreamKind.FILE_WRITE.wire(), params, filled(size, (byte) 'z')));
  }

  @Test
  void permissionDeniedIsARule() throws Exception {
    Assumptions.assumeFalse(
        "root".equals(System.getProperty("user.name")), "root may write anywhere");
    Path locked = tmp.resolve("locked");
    Files.createDirectory(locked);
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      assertThat(writeRule(locked + "/f", Map.of(), 1)).isEqualTo("permission-denied");
      List<String> lines =
          upload(StreamKind.ARCHIVE_EXTRACT.wire(), limits(locked, 1_000_000), zip(List.of()));
      assertThat(rule(lines)).isEqualTo("permission-denied");
    } finally {
      Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  // --- archive-extract -------------------------------------------------------------------------

  @Test
  void twoThousandFilesAndAnExecutableLand() throws Exception {
    Path dest = tmp.resolve("dest");
    Files.createDirectories(dest.resolve("pkg/data"));
    Files.writeString(dest.resolve("pkg/data/f0001.txt"), "old");
    Files.writeString(dest.resolve("unrelated.txt"), "stays");
    List<ZipItem> items = new ArrayList<>();
    items.add(ZipItem.dir("pkg/", 0755));
    items.add(ZipItem.file("pkg/bin/run", 0755, "#!/bin/sh\nexit 0\n".getBytes(UTF_8)));
    long bytes = items.get(1).data.length;
    for (int i = 0; i < 2000; i++) {
      byte[] data = ("file " + i + "\n").repeat(1 + i % 7).getBytes(UTF_8);
      bytes += data.length;
      items.add(ZipItem.file(String.format("pkg/data/f%04d.txt", i), 0644, data));
    }
    List<String> lines =
        upload(StreamKind.ARCHIVE_EXTRACT.wire(), limits(dest, 100_000_000), zip(items));
    assertThat(lines).containsExactly("ok " + bytes + " " + items.size());
    for (ZipItem item : items) {
      Path p = dest.resolve(item.name);
      if (item.data == null) {
        assertThat(p).isDirectory();
      } else {
        assertThat(Files.readAllBytes(p)).as(item.name).isEqualTo(item.data);
        assertThat(mode(p)).isEqualTo(item.mode == 0755 ? "rwxr-xr-x" : "rw-r--r--");
      }
    }
    assertThat(Files.readString(dest.resolve("unrelated.txt"))).isEqualTo("stays");
    assertThat(mode(dest.resolve("pkg/bin"))).isEqualTo("rwxr-xr-x");
    try (java.util.stream.Stream<Path> files = Files.list(dest.resolve("pkg/data"))) {
      assertThat(files.count()).isEqualTo(2000);
    }
    assertThat(debris(dest)).isEmpty();
  }

  @Test
  void entriesWithoutUnixModesGetDefaults() throws Exception {
    Path dest = tmp.resolve("plain");
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (ZipArchiveOutputStream z = new ZipArchiveOutputStream(buf)) {
      z.putArchiveEntry(new ZipArchiveEntry("d/"));
      z.closeArchiveEntry();
      z.putArchiveEntry(new ZipArchiveEntry("d/f.txt"));
      z.write("hello".getBytes(UTF_8));
      z.closeArchiveEntry();
    }
    assertThat(upload(StreamKind.ARCHIVE_EXTRACT.wire(), limits(dest, 1000), buf.toByteArray()))
        .containsExactly("ok 5 2");
    assertThat(mode(dest.resolve("d"))).isEqualTo("rwxr-xr-x");
    assertThat(mode(dest.resolve("d/f.txt"))).isEqualTo("rw-r--r--");
  }

  @Test
  void evilArchivesAreRefusedAndChangeNothing() throws Exception {
    Path dest = tmp.resolve("dest");
    Files.createDirectories(dest.resolve("d"));
    Files.writeString(dest.resolve("keep.txt"), "keep");
    Files.writeString(dest.resolve("d/inner.txt"), "inner");
    Files.writeString(dest.resolve("conf"), "a file");
    Map<String, String> before = snapshot(dest);
    byte[] ok = "fine".getBytes(UTF_8);
    Map<String, String> limits = limits(dest, 1_000_000);

    record Case(String rule, byte[] zip, Map<String, String> limits) {}
    List<Case> cases = new ArrayList<>();
    cases.add(new Case("dotdot-entry", zip(List.of(ZipItem.file("../evil", 0644, ok))), limits));
    cases.add(
        new Case(
            "dotdot-entry",
            zip(List.of(ZipItem.file("a.txt", 0644, ok), ZipItem.file("x/../../e", 0644, ok))),
            limits));
    cases.add(new Case("absolute-entry", zip(List.of(ZipItem.file("/abs", 0644, ok))), limits));
    cases.add(new Case("backslash-entry", zip(List.of(ZipItem.file("x/a\\b", 0644, ok))), limits));
    cases.add(
        new Case(
            "symlink-entry",
            zip(
                List.of(
                    ZipItem.file("a.txt", 0644, ok),
                    ZipItem.file("link", 0120777, "/etc/passwd".getBytes(UTF_8)))),
            limits));
    cases.add(new Case("special-entry", zip(List.of(ZipItem.file("fifo", 0010644, ok))), limits));
    cases.add(
        new Case("special-entry", zip(List.of(ZipItem.file("dev", 0020644, new byte[0]))), limits));
    cases.add(
        new Case(
            "duplicate-entry",
            zip(List.of(ZipItem.file("a.txt", 0644, ok), ZipItem.file("./a.txt", 0644, ok))),
            limits));
    cases.add(
        new Case(
            "duplicate-entry",
            zip(List.of(ZipItem.file("a", 0644, ok), ZipItem.dir("a/", 0755))),
            limits));
    cases.add(
        new Case(
            "duplicate-entry",
            zip(List.of(ZipItem.file("a", 0644, ok), ZipItem.file("a/b", 0644, ok))),
            limits));
    cases.add(new Case("bad-entry", zip(List.of(ZipItem.file("./", 0644, ok))), limits));
    Map<String, String> bomb = new TreeMap<>(limits);
    bomb.put("maxRatio", "200");
    bomb.put("maxUnpackedBytes", String.valueOf(10 << 20));
    cases.add(
        new Case(
            "compression-ratio",
            zip(List.of(ZipItem.file("zeros", 0644, new byte[50 << 20]))),
            bomb));
    Map<String, String> small = new TreeMap<>(limits);
    small.put("maxUnpackedBytes", "100");
    cases.add(
        new Case(
            "unpacked-too-large",
            zip(
                List.of(
                    ZipItem.file("a", 0644, filled(60, (byte) 'a')),
                    ZipItem.file("b", 0644, filled(60, (byte) 'b')))),
            small));
    // declared sizes that lie: the real bytes are counted
    byte[] lying = lie(zipFile(List.of(ZipItem.file("zeros", 0644, new byte[5 << 20]))), 1000);
    Map<String, String> lyingLimits = new TreeMap<>(limits);
    lyingLimits.put("maxUnpackedBytes", String.valueOf(1 << 20));
    lyingLimits.put("maxRatio", "100000");
    cases.add(new Case("unpacked-too-large", lying, lyingLimits));
    Map<String, String> lyingRatio = new TreeMap<>(limits);
    lyingRatio.put("maxUnpackedBytes", String.valueOf(100 << 20));
    lyingRatio.put("maxRatio", "200");
    cases.add(new Case("compression-ratio", lying, lyingRatio));
    Map<String, String> few = new TreeMap<>(limits);
    few.put("maxEntries", "4");
    List<ZipItem> five = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      five.add(ZipItem.file("f" + i, 0644, ok));
    }
    cases.add(new Case("too-many-entries", zip(five), few));
    byte[] random = new byte[20_000];
    new Random(7).nextBytes(random);
    byte[] good = zip(List.of(ZipItem.file("a.txt", 0644, ok), ZipItem.file("r", 0644, random)));
    cases.add(new Case("corrupt-zip", Arrays.copyOf(good, good.length / 2), limits));
    byte[] flipped = good.clone();
    for (int i = 200; i < 260; i++) {
      flipped[i] ^= 0x5a;
    }
    cases.add(new Case("corrupt-zip", flipped, limits));
    cases.add(new Case("corrupt-zip", "not a zip at all".getBytes(UTF_8), limits));
    Map<String, String> tiny = new TreeMap<>(limits);
    tiny.put("maxBytes", "100");
    cases.add(new Case("too-large", good, tiny));
    // conflicts with what dest holds: found before anything moved ("a.txt" sorts first)
    cases.add(
        new Case(
            "not-a-directory",
            zip(List.of(ZipItem.file("a.txt", 0644, ok), ZipItem.file("conf/x", 0644, ok))),
            limits));
    cases.add(
        new Case(
            "is-a-directory",
            zip(List.of(ZipItem.file("a.txt", 0644, ok), ZipItem.file("d", 0644, ok))),
            limits));
    Map<String, String> badParam = new TreeMap<>(limits);
    badParam.remove("maxRatio");
    cases.add(new Case("bad-param", good, badParam));
    Map<String, String> badPath = new TreeMap<>(limits);
    badPath.put("dest", dest + "/../elsewhere");
    cases.add(new Case("bad-path", good, badPath));

    for (Case c : cases) {
      List<String> lines = upload(StreamKind.ARCHIVE_EXTRACT.wire(), c.limits(), c.zip());
      assertThat(rule(lines)).as(c.rule() + ": " + lines).isEqualTo(c.rule());
      assertThat(snapshot(dest)).as(c.rule()).isEqualTo(before);
      assertThat(debris(tmp)).as(c.rule()).isEmpty();
    }
    assertThat(tmp.resolve("evil")).doesNotExist();
  }

  // --- downloads -------------------------------------------------------------------------------

  @Test
  @Timeout(30)
  void aZipOfMoreEntriesThanTheLimitIsRefusedBeforeItsDirectoryIsParsed() throws Exception {
    // given: 200 000 entries in ZIP64 form (9.4 MB), limit 50 000
    Path dest = tmp.resolve("dest");
    Files.createDirectories(dest);
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    ManyEntriesZip.write(zip, 200_000, 200_000, true);
    Map<String, String> limits = new java.util.HashMap<>(limits(dest, 1_000_000));
    limits.put("maxEntries", "50000");
    limits.put("maxBytes", "20000000");

    // when
    long start = System.nanoTime();
    List<String> lines = upload(StreamKind.ARCHIVE_EXTRACT.wire(), limits, zip.toByteArray());

    // then
    assertThat(rule(lines)).isEqualTo("too-many-entries");
    assertThat(result(lines)).contains("200000").contains("50000");
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(10);
    waitFor(() -> debris(dest).isEmpty());
    try (java.util.stream.Stream<Path> left = Files.list(dest)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void anErrorInAnUploadFailsThatStreamOnlyAndTheLinkGoesOn() throws Exception {
    // when
    List<String> lines = upload(OutOfMemory.KIND, Map.of(), filled(100_000, (byte) 1));

    // then
    assertThat(rule(lines)).isEqualTo("io-error");
    assertThat(result(lines)).contains("ran out of memory").contains("Java heap space");
    Path file = tmp.resolve("after.txt");
    List<String> after =
        upload(
            StreamKind.FILE_WRITE.wire(),
            Map.of("path", file.toString(), "maxBytes", "1000", "mode", "644"),
            "still here".getBytes(UTF_8));
    assertThat(result(after)).startsWith("ok ");
    assertThat(Files.readString(file)).isEqualTo("still here");
  }

  @Test
  void aFileAndADirectoryZipRoundTrip() throws Exception {
    byte[] big = new byte[300_000];
    new Random(42).nextBytes(big);
    Path file = tmp.resolve("big.bin");
    Files.write(file, big);
    assertThat(download(StreamKind.FILE_READ.wire(), file.toString())).isEqualTo(big);
    Path empty = Files.createFile(tmp.resolve("empty"));
    assertThat(download(StreamKind.FILE_READ.wire(), empty.toString())).isEmpty();

    Path src = tmp.resolve("src");
    Files.createDirectories(src.resolve("lib/deep/er"));
    Files.createDirectories(src.resolve("empty"));
    Files.write(src.resolve("lib/big.bin"), big);
    Files.writeString(src.resolve("lib/deep/er/note.txt"), "note");
    Files.writeString(src.resolve("run.sh"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(
        src.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-x---"));
    Files.createSymbolicLink(src.resolve("link"), Path.of("../big.bin"));
    Files.createSymbolicLink(src.resolve("dirlink"), Path.of(".."));
    byte[] zip = download(StreamKind.ARCHIVE_CREATE.wire(), src.toString());

    Map<String, String> unzipped = new TreeMap<>();
    try (ZipFile z =
        ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(zip)).get()) {
      for (Enumeration<ZipArchiveEntry> en = z.getEntries(); en.hasMoreElements(); ) {
        ZipArchiveEntry e = en.nextElement();
        String mode = Integer.toOctalString(e.getUnixMode() & 0777);
        if (e.isDirectory()) {
          unzipped.put(e.getName().substring(0, e.getName().length() - 1), "d " + mode);
        } else {
          try (InputStream in = z.getInputStream(e)) {
            unzipped.put(e.getName(), "f " + mode + " " + sha256(in.readAllBytes()));
          }
        }
      }
    }
    Map<String, String> expected = new TreeMap<>(snapshot(src));
    expected.remove("link");
    expected.remove("dirlink");
    assertThat(unzipped).isEqualTo(expected);

    // and back in through archive-extract
    Path copy = tmp.resolve("copy");
    List<String> lines = upload(StreamKind.ARCHIVE_EXTRACT.wire(), limits(copy, 10_000_000), zip);
    assertThat(result(lines)).isEqualTo("ok " + (big.length + 4 + 10) + " " + expected.size());
    assertThat(snapshot(copy)).isEqualTo(expected);
  }

  @Test
  void downloadsAreRefusedWithARule() throws Exception {
    Path dir = tmp.resolve("dir");
    Files.createDirectories(dir);
    Path file = tmp.resolve("file");
    Files.writeString(file, "x");
    assertRefused(StreamKind.FILE_READ.wire(), tmp + "/missing", "not-found: ");
    assertRefused(StreamKind.FILE_READ.wire(), file + "/below", "not-found: ");
    assertRefused(StreamKind.FILE_READ.wire(), dir.toString(), "is-a-directory: ");
    assertRefused(StreamKind.FILE_READ.wire(), "relative", "bad-path: ");
    assertRefused(StreamKind.FILE_READ.wire(), dir + "/../file", "bad-path: ");
    assertRefused(StreamKind.ARCHIVE_CREATE.wire(), tmp + "/missing", "not-found: ");
    assertRefused(StreamKind.ARCHIVE_CREATE.wire(), file.toString(), "not-a-directory: ");
    assertRefused(StreamKind.ARCHIVE_CREATE.wire(), "", "bad-path: ");
    Path fifo = tmp.resolve("fifo");
    if (new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0) {
      assertRefused(StreamKind.FILE_READ.wire(), fifo.toString(), "special-file: ");
    }
    StreamRefusedException noPath = refusal(StreamKind.FILE_READ.wire(), Map.of());
    assertThat(noPath.getMessage()).startsWith("bad-path: ");
  }

  private void assertRefused(String kind, String path, String prefix) {
    StreamRefusedException e = refusal(kind, Map.of("path", path));
    assertThat(e.code()).isEqualTo(ErrorCode.REFUSED);
    assertThat(e.getMessage()).startsWith(prefix);
  }

  // --- abort -----------------------------------------------------------------------------------

  @Test
  void aResetMidUploadLeavesNothing() throws Exception {
    Path target = tmp.resolve("w/f.bin");
    Client writer = new Client();
    Stream w =
        open(
            StreamKind.FILE_WRITE.wire(),
            Map.of("path", target.toString(), "maxBytes", "100000000"),
            writer);
    w.write(new byte[100_000]);
    waitFor(() -> !debris(tmp).isEmpty());
    w.reset(ErrorCode.CANCELLED, "user cancelled");
    waitFor(() -> debris(tmp).isEmpty());
    assertThat(target).doesNotExist();

    Path dest = tmp.resolve("x");
    Files.createDirectories(dest);
    Files.writeString(dest.resolve("keep"), "keep");
    Map<String, String> before = snapshot(dest);
    byte[] zip = zip(List.of(ZipItem.file("keep", 0644, new byte[200_000])));
    Client extractor = new Client();
    Stream x = open(StreamKind.ARCHIVE_EXTRACT.wire(), limits(dest, 10_000_000), extractor);
    x.write(zip, 0, zip.length / 2);
    waitFor(() -> !debris(dest).isEmpty());
    x.reset(ErrorCode.CANCELLED, "user cancelled");
    waitFor(() -> debris(dest).isEmpty());
    assertThat(snapshot(dest)).isEqualTo(before);
    assertThat(writer.bytes()).isEmpty();
    assertThat(extractor.bytes()).isEmpty();
  }

  @Test
  void aLostLinkMidUploadLeavesNothingAtOnce() throws Exception {
    // given a file upload and an archive upload, both half sent
    Path target = tmp.resolve("lost/f.bin");
    Stream w =
        open(
            StreamKind.FILE_WRITE.wire(),
            Map.of("path", target.toString(), "maxBytes", "100000000"),
            new Client());
    w.write(new byte[100_000]);
    Path dest = Files.createDirectories(tmp.resolve("lost-x"));
    byte[] zip = zip(List.of(ZipItem.file("big", 0644, new byte[200_000])));
    Stream x = open(StreamKind.ARCHIVE_EXTRACT.wire(), limits(dest, 10_000_000), new Client());
    x.write(zip, 0, zip.length / 2);
    waitFor(() -> !debris(tmp.resolve("lost")).isEmpty() && !debris(dest).isEmpty());

    // when the link goes (the gateway died, the network broke): no RESET ever arrives
    link.agent.closeAll("link lost");

    // then the temp file and the staging directory go at once, and nothing landed
    waitFor(() -> debris(tmp.resolve("lost")).isEmpty() && debris(dest).isEmpty());
    assertThat(target).doesNotExist();
    try (var left = Files.list(dest)) {
      assertThat(left).isEmpty();
    }
  }

  // --- helpers ---------------------------------------------------------------------------------

  private static Map<String, String> limits(Path dest, long max) {
    return new TreeMap<>(
        Map.of(
            "dest", dest.toString(),
            "maxBytes", String.valueOf(max),
            "maxEntries", "10000",
            "maxUnpackedBytes", String.valueOf(max),
            "maxRatio", "1000"));
  }

  /** An entry to put in a test zip: {@code data == null} for a directory. */
  record ZipItem(String name, int mode, byte[] data) {
    static ZipItem file(String name, int mode, byte[] data) {
      return new ZipItem(name, mode, data);
    }

    static ZipItem dir(String name, int mode) {
      return new ZipItem(name, mode, null);
    }
  }

  /** A zip written to a non-seekable stream (data descriptors), as an upload is. */
  private static byte[] zip(List<ZipItem> items) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (ZipArchiveOutputStream z = new ZipArchiveOutputStream(buf)) {
      write(z, items);
    }
    return buf.toByteArray();
  }

  /** A zip written to a file (sizes in the local headers, no data descriptors). */
  private byte[] zipFile(List<ZipItem> items) throws IOException {
    Path f = Files.createTempFile(tmp.getParent(), "test", ".zip");
    try {
      try (ZipArchiveOutputStream z = new ZipArchiveOutputStream(f)) {
        write(z, items);
      }
      return Files.readAllBytes(f);
    } finally {
      Files.delete(f);
    }
  }

  private static void write(ZipArchiveOutputStream z, List<ZipItem> items) throws IOException {
    for (ZipItem item : items) {
      ZipArchiveEntry e = new ZipArchiveEntry(item.name);
      if (item.data == null) {
        e.setUnixMode(0040000 | item.mode);
      } else {
        e.setUnixMode(item.mode < 01000 ? 0100000 | item.mode : item.mode);
      }
      z.putArchiveEntry(e);
      if (item.data != null) {
        z.write(item.data);
      }
      z.closeArchiveEntry();
    }
  }

  /** Patches the uncompressed size of a one-entry zip (local header and central directory). */
  private static byte[] lie(byte[] zip, int size) {
    byte[] out = zip.clone();
    ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    int patched = 0;
    for (int i = 0; i + 4 <= out.length; i++) {
      int sig = b.getInt(i);
      if (sig == 0x04034b50) {
        b.putInt(i + 22, size);
        patched++;
      } else if (sig == 0x02014b50) {
        b.putInt(i + 24, size);
        patched++;
      }
    }
    assertThat(patched).isEqualTo(2);
    return out;
  }

  private static byte[] filled(int n, byte b) {
    byte[] a = new byte[n];
    Arrays.fill(a, b);
    return a;
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(
        Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }

  /** Relative path → "d mode", "f mode sha256" or "l target", links not followed. */
  private static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> map = new TreeMap<>();
    try (java.util.stream.Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        if (p.equals(root)) {
          continue;
        }
        String rel = root.relativize(p).toString();
        String mode =
            Integer.toOctalString(
                Fs.mode(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)));
        if (Files.isSymbolicLink(p)) {
          map.put(rel, "l " + Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p)) {
          map.put(rel, "d " + mode);
        } else {
          map.put(rel, "f " + mode + " " + sha256(Files.readAllBytes(p)));
        }
      }
    }
    return map;
  }

  /** Temp files and staging directories anywhere below {@code root}. */
  private static List<Path> debris(Path root) {
    Builder<Path> found = java.util.stream.Stream.builder();
    try (java.util.stream.Stream<Path> all = Files.walk(root)) {
      all.filter(
              p -> {
                String n = p.getFileName().toString();
                return n.startsWith(ArchiveExtract.STAGING_PREFIX)
                    || n.contains(FileWrite.TEMP_MARK);
              })
          .forEach(found);
    } catch (IOException e) {
      // a tree being deleted while walked: look again
      return List.of(root.resolve("(changing)"));
    } catch (UncheckedIOException e) {
      return List.of(root.resolve("(changing)"));
    }
    return found.build().toList();
  }

  private static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static void waitFor(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("condition not met in " + WAIT_S + " s");
      }
      Thread.sleep(5);
    }
  }

  /** A gateway mux and an agent mux serving the file kinds, joined in memory. */
  /** An upload whose work runs out of memory once the upload was read. */
  static final class OutOfMemory extends Upload {
    static final String KIND = "test-out-of-memory";

    OutOfMemory(java.util.concurrent.Executor workers, Map<String, String> params) {
      super(workers, params);
    }

    @Override
    Result work(Map<String, String> params) throws Aborted {
      byte[] chunk;
      while ((chunk = next()) != null) {
        consumed(chunk);
      }
      throw new OutOfMemoryError("Java heap space");
    }
  }

  private static MemoryLink link(int window, java.util.concurrent.Executor workers) {
    java.util.Map<String, dev.cms.domain.protocol.Mux.Acceptor> kinds =
        java.util.Map.of(
            StreamKind.FILE_WRITE.wire(),
            open -> FileStreams.fileWrite(open, workers),
            StreamKind.ARCHIVE_EXTRACT.wire(),
            open -> FileStreams.archiveExtract(open, workers),
            StreamKind.FILE_READ.wire(),
            open -> FileStreams.fileRead(open, workers),
            StreamKind.ARCHIVE_CREATE.wire(),
            open -> FileStreams.archiveCreate(open, workers),
            OutOfMemory.KIND,
            open -> new OutOfMemory(workers, open.params()));
    return new MemoryLink(
        window,
        open -> {
          throw new dev.cms.domain.protocol.StreamRefusedException(
              dev.cms.domain.protocol.ErrorCode.UNKNOWN_KIND, "gateway accepts nothing");
        },
        open -> {
          dev.cms.domain.protocol.Mux.Acceptor a = kinds.get(open.kind());
          if (a == null) {
            throw new dev.cms.domain.protocol.StreamRefusedException(
                dev.cms.domain.protocol.ErrorCode.UNKNOWN_KIND, open.kind());
          }
          return a.accept(open);
        });
  }
}
