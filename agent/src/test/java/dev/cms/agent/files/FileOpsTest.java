package dev.cms.agent.files;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cms.domain.files.FsWire;
import dev.cms.domain.protocol.Mux;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamKind;
import dev.cms.domain.testing.MemoryLink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one-shot file operations and the watch stream, over a real Mux on real files. */
class FileOpsTest {
  @TempDir Path tmp;

  private final ExecutorService workers = Executors.newCachedThreadPool();
  private MemoryLink link;

  @BeforeEach
  void connect() {
    Watches watches = new Watches(workers);
    Mux.Acceptor op = open -> FileOps.accept(open, workers);
    link =
        new MemoryLink(
            64 * 1024,
            open -> {
              throw new dev.cms.domain.protocol.StreamRefusedException(3, "no");
            },
            open ->
                open.kind().equals(StreamKind.FILE_WATCH.wire())
                    ? watches.accept(open)
                    : op.accept(open));
  }

  @AfterEach
  void disconnect() {
    link.close();
    workers.shutdownNow();
  }

  /** Collects the agent's messages. */
  static final class Client implements StreamHandler {
    final List<FsWire.Message> messages = new CopyOnWriteArrayList<>();
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    final dev.cms.domain.protocol.LengthPrefixed<FsWire.Message> decoder = FsWire.decoder();

    @Override
    public void onData(Stream s, byte[] data) {
      messages.addAll(decoder.feed(data));
    }

    @Override
    public void onClose(Stream s) {
      closed.complete(null);
      s.close();
    }
  }

  private List<FsWire.Message> run(String kind, Map<String, String> params) throws Exception {
    Client c = new Client();
    link.gateway.open(kind, params, c).get(10, TimeUnit.SECONDS);
    c.closed.get(10, TimeUnit.SECONDS);
    return c.messages;
  }

  private static FsWire.Failed failed(List<FsWire.Message> m) {
    assertThat(m.get(m.size() - 1)).isInstanceOf(FsWire.Failed.class);
    return (FsWire.Failed) m.get(m.size() - 1);
  }

  @Test
  void aListShowsEntriesSortedWithTypesModesAndDepthAndIsCutAtTheBound() throws Exception {
    Files.createDirectories(tmp.resolve("d/e"));
    Files.writeString(tmp.resolve("a.txt"), "hello");
    Files.setPosixFilePermissions(
        tmp.resolve("a.txt"), PosixFilePermissions.fromString("rwxr-x---"));
    Files.writeString(tmp.resolve("d/e/deep.txt"), "x");
    Files.createSymbolicLink(tmp.resolve("link"), Path.of("/etc"));

    List<FsWire.Message> one = run(StreamKind.FILE_LIST.wire(), Map.of("path", tmp.toString()));
    assertThat(one).hasSize(4);
    FsWire.Entry a = (FsWire.Entry) one.get(0);
    assertThat(a.path()).isEqualTo("a.txt");
    assertThat(a.type()).isEqualTo(FsWire.FileType.FILE);
    assertThat(a.size()).isEqualTo(5);
    assertThat(a.mode()).isEqualTo(0750);
    assertThat(((FsWire.Entry) one.get(1)).type()).isEqualTo(FsWire.FileType.DIR);
    assertThat(((FsWire.Entry) one.get(2)).type()).isEqualTo(FsWire.FileType.SYMLINK);
    assertThat(one.get(3)).isEqualTo(new FsWire.Done(false, 3));

    List<FsWire.Message> deep =
        run(StreamKind.FILE_LIST.wire(), Map.of("path", tmp.toString(), "depth", "3"));
    assertThat(
            deep.stream()
                .filter(m -> m instanceof FsWire.Entry)
                .map(m -> ((FsWire.Entry) m).path()))
        .containsExactly("a.txt", "d", "d/e", "d/e/deep.txt", "link");

    List<FsWire.Message> cut =
        run(
            StreamKind.FILE_LIST.wire(),
            Map.of("path", tmp.toString(), "depth", "3", "maxEntries", "2"));
    assertThat(cut.get(cut.size() - 1)).isEqualTo(new FsWire.Done(true, 2));

    assertThat(failed(run(StreamKind.FILE_LIST.wire(), Map.of("path", tmp + "/nope"))).rule())
        .isEqualTo("not-found");
    assertThat(failed(run(StreamKind.FILE_LIST.wire(), Map.of("path", tmp + "/a.txt"))).rule())
        .isEqualTo("not-a-directory");
    assertThat(failed(run(StreamKind.FILE_LIST.wire(), Map.of("path", "/x/../etc"))).rule())
        .isEqualTo("bad-path");
    assertThat(
            failed(run(StreamKind.FILE_LIST.wire(), Map.of("path", tmp.toString(), "depth", "9")))
                .rule())
        .isEqualTo("bad-param");
  }

  @Test
  void deleteRefusesANonEmptyDirectoryUnlessRecursiveAndNeverFollowsLinks() throws Exception {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("keep"), "k");
    Path d = Files.createDirectories(tmp.resolve("d/sub"));
    Files.writeString(d.resolve("f"), "f");
    Files.createSymbolicLink(tmp.resolve("d/link"), outside);

    assertThat(failed(run(StreamKind.FILE_DELETE.wire(), Map.of("path", tmp + "/d"))).rule())
        .isEqualTo("not-empty");
    assertThat(run(StreamKind.FILE_DELETE.wire(), Map.of("path", tmp + "/d", "recursive", "true")))
        .containsExactly(new FsWire.Done(false, 4));
    assertThat(tmp.resolve("d")).doesNotExist();
    assertThat(outside.resolve("keep")).exists();
    assertThat(failed(run(StreamKind.FILE_DELETE.wire(), Map.of("path", tmp + "/d"))).rule())
        .isEqualTo("not-found");
    assertThat(failed(run(StreamKind.FILE_DELETE.wire(), Map.of("path", "/"))).rule())
        .isEqualTo("bad-path");
  }

  @Test
  void moveAndMkdirFollowTheirRules() throws Exception {
    Files.writeString(tmp.resolve("a"), "a");
    Files.writeString(tmp.resolve("b"), "b");
    assertThat(
            failed(run(StreamKind.FILE_MOVE.wire(), Map.of("from", tmp + "/a", "to", tmp + "/b")))
                .rule())
        .isEqualTo("already-exists");
    assertThat(
            run(
                StreamKind.FILE_MOVE.wire(),
                Map.of("from", tmp + "/a", "to", tmp + "/b", "overwrite", "true")))
        .containsExactly(new FsWire.Done(false, 1));
    assertThat(Files.readString(tmp.resolve("b"))).isEqualTo("a");
    assertThat(
            failed(run(StreamKind.FILE_MOVE.wire(), Map.of("from", tmp + "/a", "to", tmp + "/c")))
                .rule())
        .isEqualTo("not-found");

    assertThat(failed(run(StreamKind.FILE_MKDIR.wire(), Map.of("path", tmp + "/x/y"))).rule())
        .isEqualTo("not-found");
    assertThat(run(StreamKind.FILE_MKDIR.wire(), Map.of("path", tmp + "/x/y", "parents", "true")))
        .containsExactly(new FsWire.Done(false, 1));
    assertThat(tmp.resolve("x/y")).isDirectory();
    assertThat(failed(run(StreamKind.FILE_MKDIR.wire(), Map.of("path", tmp + "/x/y"))).rule())
        .isEqualTo("already-exists");
    assertThat(
            failed(
                    run(
                        StreamKind.FILE_MOVE.wire(),
                        Map.of("from", tmp + "/x", "to", tmp + "/x/y/z")))
                .rule())
        .isEqualTo("bad-path");
    Files.createDirectories(tmp.resolve("full/inside"));
    Files.createDirectories(tmp.resolve("dir2"));
    assertThat(
            failed(
                    run(
                        StreamKind.FILE_MOVE.wire(),
                        Map.of("from", tmp + "/dir2", "to", tmp + "/full", "overwrite", "true")))
                .rule())
        .isEqualTo("not-empty");
    assertThat(
            failed(
                    run(
                        StreamKind.FILE_MOVE.wire(),
                        Map.of("from", tmp + "/b", "to", tmp + "/dir2", "overwrite", "true")))
                .rule())
        .isEqualTo("is-a-directory");
    assertThat(
            failed(
                    run(
                        StreamKind.FILE_MOVE.wire(),
                        Map.of("from", tmp + "/dir2", "to", tmp + "/b", "overwrite", "true")))
                .rule())
        .isEqualTo("not-a-directory");
    assertThat(
            run(
                StreamKind.FILE_MOVE.wire(),
                Map.of("from", tmp + "/dir2", "to", tmp + "/x/y", "overwrite", "true")))
        .containsExactly(new FsWire.Done(false, 1));
  }

  @Test
  void aRecursiveWatchReportsCreatedModifiedAndDeletedAlsoInNewDirectories() throws Exception {
    Files.createDirectories(tmp.resolve("src"));
    Client c = new Client();
    Stream s =
        link.gateway
            .open(
                StreamKind.FILE_WATCH.wire(),
                Map.of("path", tmp.toString(), "recursive", "true"),
                c)
            .get(10, TimeUnit.SECONDS);
    await(c, m -> m instanceof FsWire.Done);
    assertThat(c.messages.get(0)).isEqualTo(new FsWire.Done(false, 2));

    Files.writeString(tmp.resolve("src/a.txt"), "1");
    await(c, change(FsWire.ChangeKind.CREATED, tmp.resolve("src/a.txt")));
    Thread.sleep(300);
    Files.writeString(tmp.resolve("src/a.txt"), "2");
    await(c, change(FsWire.ChangeKind.MODIFIED, tmp.resolve("src/a.txt")));
    Files.createDirectories(tmp.resolve("new"));
    await(c, change(FsWire.ChangeKind.CREATED, tmp.resolve("new")));
    Thread.sleep(300); // registered by then
    Files.writeString(tmp.resolve("new/b"), "b");
    await(c, change(FsWire.ChangeKind.CREATED, tmp.resolve("new/b")));
    Files.delete(tmp.resolve("src/a.txt"));
    await(c, change(FsWire.ChangeKind.DELETED, tmp.resolve("src/a.txt")));
    s.close();
    c.closed.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aWatchBeyondTheBoundIsRefusedAndAClosedOneMakesRoom() throws Exception {
    List<Stream> open = new ArrayList<>();
    for (int i = 0; i < Watches.MAX_WATCHES; i++) {
      Client c = new Client();
      open.add(
          link.gateway
              .open(StreamKind.FILE_WATCH.wire(), Map.of("path", tmp.toString()), c)
              .get(10, TimeUnit.SECONDS));
      await(c, m -> m instanceof FsWire.Done);
    }
    List<FsWire.Message> refused =
        run(StreamKind.FILE_WATCH.wire(), Map.of("path", tmp.toString()));
    assertThat(failed(refused).rule()).isEqualTo("too-many-watches");
    assertThat(failed(run(StreamKind.FILE_WATCH.wire(), Map.of("path", tmp + "/none"))).rule())
        .isIn("not-found", "too-many-watches");

    open.get(0).close();
    Instant deadline = Instant.now().plusSeconds(10);
    while (true) {
      Client c = new Client();
      link.gateway
          .open(StreamKind.FILE_WATCH.wire(), Map.of("path", tmp.toString()), c)
          .get(10, TimeUnit.SECONDS);
      await(c, m -> m instanceof FsWire.Done || m instanceof FsWire.Failed);
      if (c.messages.get(0) instanceof FsWire.Done) {
        break;
      }
      assertThat(Instant.now()).isBefore(deadline);
      Thread.sleep(50);
    }
  }

  private static java.util.function.Predicate<FsWire.Message> change(
      FsWire.ChangeKind kind, Path path) {
    return m ->
        m instanceof FsWire.Change ch && ch.kind() == kind && ch.path().equals(path.toString());
  }

  private static void await(Client c, java.util.function.Predicate<FsWire.Message> match)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
    while (Instant.now().isBefore(deadline)) {
      if (new ArrayList<>(c.messages).stream().anyMatch(match)) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no matching message; got " + c.messages);
  }
}
