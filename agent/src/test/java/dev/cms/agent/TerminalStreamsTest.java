package dev.cms.agent;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamKind;
import dev.cms.domain.protocol.StreamRefusedException;
import dev.cms.domain.terminal.TerminalWire;
import dev.cms.domain.testing.MemoryLink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Terminal streams against real shells on real PTYs, through two muxes joined in memory. */
@Timeout(60)
class TerminalStreamsTest {
  private static final long WAIT_MS = 10_000;

  @TempDir Path home;

  private final ExecutorService workers = Agent.workers();
  private final List<MemoryLink> links = new ArrayList<>();
  private final List<Terminals> registries = new ArrayList<>();

  @AfterEach
  void stop() {
    links.forEach(MemoryLink::close);
    registries.forEach(Terminals::destroyAll);
    workers.shutdownNow();
  }

  private Terminals terminals(int logBytes) {
    String shell = "/bin/bash";
    TerminalConfig config =
        new TerminalConfig(
            logBytes,
            List.of(shell),
            TerminalConfig.shellEnv(System.getenv(), shell, home),
            home,
            home);
    Terminals t = new Terminals(config, workers);
    registries.add(t);
    return t;
  }

  private MemoryLink link(Terminals terminals) {
    MemoryLink link =
        new MemoryLink(
            64 * 1024,
            open -> {
              throw new StreamRefusedException(ErrorCode.UNKNOWN_KIND, "gateway accepts nothing");
            },
            StreamKinds.standard(workers, terminals));
    links.add(link);
    return link;
  }

  /** The gateway's side of a terminal stream: collects the messages. */
  static final class Client implements StreamHandler {
    final TerminalWire.Decoder decoder = new TerminalWire.Decoder();
    final List<TerminalWire.Message> messages = new ArrayList<>();
    final ByteArrayOutputStream output = new ByteArrayOutputStream();
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    final CompletableFuture<Integer> reset = new CompletableFuture<>();
    volatile Stream stream;
    private boolean ignoring;

    @Override
    public void onOpen(Stream s) {
      stream = s;
    }

    @Override
    public synchronized void onData(Stream s, byte[] data) {
      if (ignoring) {
        return;
      }
      for (TerminalWire.Message m : decoder.feed(data)) {
        messages.add(m);
        if (m instanceof TerminalWire.Output o) {
          output.writeBytes(o.data());
        }
      }
      notifyAll();
    }

    @Override
    public void onClose(Stream s) {
      closed.complete(null);
      s.close();
    }

    @Override
    public void onReset(Stream s, int code, String reason) {
      reset.complete(code);
    }

    /** Resets the stream; no message is taken after this. */
    synchronized void detach() {
      ignoring = true;
      stream.reset(ErrorCode.CANCELLED, "client went away");
    }

    void send(TerminalWire.Message m) throws IOException {
      stream.write(TerminalWire.encode(m));
    }

    void type(String text) throws IOException {
      send(new TerminalWire.Input(text.getBytes(UTF_8)));
    }

    /** The output so far, one char per byte (byte-exact). */
    synchronized String raw() {
      return output.toString(ISO_8859_1);
    }

    synchronized List<TerminalWire.Message> messages() {
      return new ArrayList<>(messages);
    }

    synchronized List<TerminalWire.Output> outputs() {
      List<TerminalWire.Output> out = new ArrayList<>();
      for (TerminalWire.Message m : messages) {
        if (m instanceof TerminalWire.Output o) {
          out.add(o);
        }
      }
      return out;
    }

    TerminalWire.Attached attached() {
      return (TerminalWire.Attached) messages().get(0);
    }

    synchronized List<TerminalWire.Exited> exits() {
      List<TerminalWire.Exited> out = new ArrayList<>();
      for (TerminalWire.Message m : messages) {
        if (m instanceof TerminalWire.Exited e) {
          out.add(e);
        }
      }
      return out;
    }

    synchronized void await(String what, BooleanSupplier condition) throws InterruptedException {
      long deadline = System.currentTimeMillis() + WAIT_MS;
      while (!condition.getAsBoolean()) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          throw new AssertionError(
              "timed out waiting for "
                  + what
                  + "; output so far:\n"
                  + new String(output.toByteArray(), UTF_8));
        }
        wait(Math.min(left, 100));
      }
    }

    /** The output so far, decoded as UTF-8. */
    synchronized String text() {
      return output.toString(UTF_8);
    }

    /** Waits for the first Exited and returns its code. */
    int awaitExit() throws InterruptedException {
      await("Exited", () -> !exits().isEmpty());
      return exits().get(0).code();
    }

    /** Waits until the output contains {@code text} (UTF-8). */
    void awaitOutput(String text) throws InterruptedException {
      String needle = new String(text.getBytes(UTF_8), ISO_8859_1);
      await("output " + text, () -> raw().contains(needle));
    }
  }

  static Client open(MemoryLink link, Map<String, String> params) throws Exception {
    Client c = new Client();
    link.gateway.open(StreamKind.TERMINAL.wire(), params, c).get(10, TimeUnit.SECONDS);
    c.await("Attached", () -> !c.messages.isEmpty());
    assertThat(c.messages().get(0)).isInstanceOf(TerminalWire.Attached.class);
    return c;
  }

  private static Client open(MemoryLink link, String id) throws Exception {
    return open(link, Map.of("terminal", id));
  }

  private static int refusal(MemoryLink link, Map<String, String> params) {
    CompletableFuture<Stream> f =
        link.gateway.open(StreamKind.TERMINAL.wire(), params, new Client());
    try {
      f.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(StreamRefusedException.class);
      return ((StreamRefusedException) e.getCause()).code();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("the open was accepted");
  }

  @Test
  void aNewTerminalRunsAShell() throws Exception {
    MemoryLink link = link(terminals(TerminalConfig.DEFAULT_LOG_BYTES));
    Client c = open(link, "t1");
    TerminalWire.Attached a = c.attached();
    assertThat(a.terminalId()).isEqualTo("t1");
    assertThat(a.offset()).isZero();
    assertThat(a.firstOffset()).isZero();
    assertThat(a.truncated()).isFalse();
    assertThat(a.running()).isTrue();
    assertThat(a.exitCode()).isEqualTo(-1);

    c.type("echo $((6*7))\n");
    c.awaitOutput("42");
    c.type("pwd; echo \"[$TERM|$LANG|$HOME]\"\n");
    c.awaitOutput("[xterm-256color|" + System.getenv().getOrDefault("LANG", "C.UTF-8") + "|");
    c.awaitOutput(home.toString() + "\r\n");

    long at = 0;
    for (TerminalWire.Output o : c.outputs()) {
      assertThat(o.offset()).isEqualTo(at);
      assertThat(o.data().length).isBetween(1, TerminalWire.MAX_OUTPUT_CHUNK);
      at = o.end();
    }
  }

  @Test
  void theShellGetsTheContainersEnvironmentButNotTheAgentsOwnVariables() throws Exception {
    Map<String, String> agentEnv = new HashMap<>(System.getenv());
    agentEnv.put("CMS_AGENT_SECRET", "s3cr3t");
    agentEnv.put("FROM_CREATE", "passed-on");
    String shell = "/bin/bash";
    Terminals t =
        new Terminals(
            new TerminalConfig(
                TerminalConfig.DEFAULT_LOG_BYTES,
                List.of(shell),
                TerminalConfig.shellEnv(agentEnv, shell, home),
                home,
                home),
            workers);
    registries.add(t);
    MemoryLink link = link(t);
    Client c = open(link, "env");
    c.type("echo \"<${CMS_AGENT_SECRET-unset}|${FROM_CREATE-unset}>\"\n");
    c.awaitOutput("<unset|passed-on>");
  }

  @Test
  void utf8PassesThroughUntouchedBothWays() throws Exception {
    MemoryLink link = link(terminals(TerminalConfig.DEFAULT_LOG_BYTES));
    Client c = open(link, "utf8");
    // output: the shell writes the bytes, the command line itself holds only ASCII
    c.type("printf 'h\\303\\251llo \\342\\234\\223\\n'\n");
    c.awaitOutput("héllo ✓\r\n");
    // input: typed UTF-8 reaches the shell byte for byte
    c.type("echo 'héllo ✓' | od -An -tx1\n");
    c.awaitOutput("68 c3 a9 6c 6c 6f 20 e2 9c 93 0a");
  }

  @Test
  void resizeReachesThePty() throws Exception {
    MemoryLink link = link(terminals(TerminalConfig.DEFAULT_LOG_BYTES));
    Client c = open(link, Map.of("terminal", "sz", "cols", "100", "rows", "30"));
    c.type("stty size\n");
    c.awaitOutput("30 100");
    c.send(new TerminalWire.Resize(120, 40));
    c.type("stty size\n");
    c.awaitOutput("40 120");
  }

  @Test
  void theMostRecentlyActiveAttachmentsSizeWins() throws Exception {
    MemoryLink link = link(terminals(TerminalConfig.DEFAULT_LOG_BYTES));
    Client a = open(link, Map.of("terminal", "two", "cols", "90", "rows", "20"));
    Client b = open(link, Map.of("terminal", "two", "cols", "70", "rows", "10"));
    a.type("stty size\n");
    a.awaitOutput("20 90");
    b.type("stty size\n"); // typing makes b the most recent: its size applies
    b.awaitOutput("10 70");
    b.detach(); // a is the most recent again
    a.type("echo \"<$(stty size)>\"\n");
    a.awaitOutput("<20 90>");
  }

  @Test
  void everyAttachmentSeesTheOutputOfInputFromAny() throws Exception {
    MemoryLink link = link(terminals(TerminalConfig.DEFAULT_LOG_BYTES));
    Client a = open(link, "shared");
    Client b = open(link, "shared");
    a.type("echo from-$((1+1))a\n");
    a.awaitOutput("from-2a");
    b.awaitOutput("from-2a");
    b.type("echo from-$((2+1))b\n");
    a.awaitOutput("from-3b");
    b.awaitOutput("from-3b");
  }

  @Test
  void aClientThatReattachesAtItsLastOffsetMissesNothing() throws Exception {
    Terminals terminals = terminals(8 * 1024 * 1024);
    MemoryLink link = link(terminals);
    Client a = open(link, "seq");
    a.type("seq 1 200000\n");
    a.await("300 KB", () -> a.output.size() > 300_000);
    a.detach();
    List<TerminalWire.Output> first = a.outputs();
    long last = first.get(first.size() - 1).end();

    Client b = open(link, Map.of("terminal", "seq", "offset", Long.toString(last)));
    assertThat(b.attached().offset()).isEqualTo(last);
    assertThat(b.attached().truncated()).isFalse();
    b.awaitOutput("\r\n200000\r\n");

    List<TerminalWire.Output> all = new ArrayList<>(first);
    all.addAll(b.outputs());
    all.sort(Comparator.comparingLong(TerminalWire.Output::offset));
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    long at = 0;
    for (TerminalWire.Output o : all) {
      assertThat(o.offset()).as("no gap, no overlap").isEqualTo(at);
      joined.writeBytes(o.data());
      at = o.end();
    }
    String text = joined.toString(ISO_8859_1);
    StringBuilder expected = new StringBuilder(1_600_000);
    for (int i = 1; i <= 200_000; i++) {
      expected.append(i).append("\r\n");
    }
    int start = text.indexOf("1\r\n2\r\n3\r\n");
    assertThat(start).isPositive();
    assertThat(text.startsWith(expected.toString(), start))
        .as("the sequence, complete and in order")
        .isTrue();
    assertThat(last).as("detached mid-way").isLessThan(start + expected.length());
  }

  @Test
  void everyAttachmentGetsTheExitOnceAndAReopenStartsANewShell() throws Exception {
    MemoryLink link = link(terminals(TerminalConfig.DEFAULT_LOG_BYTES));
    Client a = open(link, "ex");
    Client b = open(link, "ex");
    a.type("exit 3\n");
    for (Client c : List.of(a, b)) {
      c.closed.get(10, TimeUnit.SECONDS); // the agent closes its side after Exited
      List<TerminalWire.Message> m = c.messages();
      assertThat(m.get(m.size() - 1)).isEqualTo(new TerminalWire.Exited(3));
      assertThat(c.exits()).hasSize(1);
    }
    long exitOffset = a.outputs().get(a.outputs().size() - 1).end();

    // looking at the dead terminal: its output, then Exited again
    Client look = open(link, Map.of("terminal", "ex", "create", "false", "offset", "0"));
    assertThat(look.attached().running()).isFalse();
    assertThat(look.attached().exitCode()).isEqualTo(3);
    assertThat(look.attached().endOffset()).isEqualTo(exitOffset);
    look.closed.get(10, TimeUnit.SECONDS);
    assertThat(look.exits()).containsExactly(new TerminalWire.Exited(3));
    assertThat(look.raw()).isEqualTo(a.raw());

    // a re-open starts a new shell whose output continues the same offsets
    Client c = open(link, "ex");
    assertThat(c.attached().running()).isTrue();
    assertThat(c.attached().offset()).isZero(); // recent output: the old shell's too
    assertThat(c.attached().endOffset()).isGreaterThanOrEqualTo(exitOffset);
    c.type("echo again-$((5+5))\n");
    c.awaitOutput("again-10");
    assertThat(c.raw()).startsWith(a.raw());
    assertThat(c.outputs().get(c.outputs().size() - 1).end()).isGreaterThan(exitOffset);
    assertThat(c.exits()).isEmpty();
  }

  @Test
  void killEndsTheShell() throws Exception {
    MemoryLink link = link(terminals(TerminalConfig.DEFAULT_LOG_BYTES));
    Client a = open(link, "k");
    a.type("echo ready\n");
    a.awaitOutput("ready");
    a.send(new TerminalWire.Kill());
    a.closed.get(10, TimeUnit.SECONDS);
    assertThat(a.exits()).hasSize(1);
    // SIGHUP (129); on a starved machine the 2 s grace may pass first and SIGKILL (137) ends it
    assertThat(a.exits().get(0).code()).isIn(128 + 1, 128 + 9);
  }

  @Test
  void anOffsetOlderThanTheLogIsTruncated() throws Exception {
    MemoryLink link = link(terminals(4096));
    Client a = open(link, "small");
    a.type("seq 1 5000\n");
    a.awaitOutput("\r\n5000\r\n");
    Client b = open(link, Map.of("terminal", "small", "offset", "0"));
    TerminalWire.Attached at = b.attached();
    assertThat(at.truncated()).isTrue();
    assertThat(at.firstOffset()).isPositive();
    assertThat(at.offset()).isEqualTo(at.firstOffset());
    assertThat(at.endOffset() - at.firstOffset()).isEqualTo(4096);
    b.await("output", () -> !b.outputs().isEmpty());
    // from the first kept byte on (or later, should the shell's prompt have pushed it out since)
    assertThat(b.outputs().get(0).offset()).isGreaterThanOrEqualTo(at.firstOffset());

    // no offset: recent output (the whole 4 KiB log here), not truncated
    Client c = open(link, "small");
    assertThat(c.attached().truncated()).isFalse();
    assertThat(c.attached().offset()).isEqualTo(c.attached().firstOffset());
  }

  @Test
  void terminalsSurviveTheLinkAndProtocolErrorsOnAStream() throws Exception {
    Terminals terminals = terminals(TerminalConfig.DEFAULT_LOG_BYTES);
    MemoryLink first = link(terminals);
    Client a = open(first, "keep");
    a.type("X=21; echo set-$X\n");
    a.awaitOutput("set-21");
    first.close();

    MemoryLink second = link(terminals);
    Client b = open(second, Map.of("terminal", "keep", "create", "false"));
    assertThat(b.attached().running()).isTrue();
    // a message type the agent never receives: the stream is reset, the terminal lives on
    b.stream.write(TerminalWire.encode(new TerminalWire.Exited(0)));
    assertThat(b.reset.get(10, TimeUnit.SECONDS)).isEqualTo(ErrorCode.PROTOCOL);

    Client c = open(second, Map.of("terminal", "keep", "create", "false"));
    c.type("echo $((X*2))\n");
    c.awaitOutput("42");
    assertThat(terminals.ids()).containsExactly("keep");
  }

  @Test
  void badOpensAreRefused() {
    MemoryLink link = link(terminals(TerminalConfig.DEFAULT_LOG_BYTES));
    assertThat(refusal(link, Map.of())).isEqualTo(ErrorCode.REFUSED);
    assertThat(refusal(link, Map.of("terminal", "a b"))).isEqualTo(ErrorCode.REFUSED);
    assertThat(refusal(link, Map.of("terminal", "x".repeat(33)))).isEqualTo(ErrorCode.REFUSED);
    assertThat(refusal(link, Map.of("terminal", "nope", "create", "false")))
        .isEqualTo(ErrorCode.REFUSED);
    assertThat(refusal(link, Map.of("terminal", "t", "offset", "-1"))).isEqualTo(ErrorCode.REFUSED);
    assertThat(refusal(link, Map.of("terminal", "t", "cols", "wide"))).isEqualTo(ErrorCode.REFUSED);
    assertThat(refusal(link, Map.of("terminal", "t", "create", "yes")))
        .isEqualTo(ErrorCode.REFUSED);
    assertThat(refusal(link, Map.of("terminal", "t", "offset", "x"))).isEqualTo(ErrorCode.REFUSED);
  }

  @Test
  void aShellThatCannotStartIsRefused() {
    TerminalConfig config =
        new TerminalConfig(
            TerminalConfig.MIN_LOG_BYTES,
            List.of("/nonexistent/shell"),
            new HashMap<>(Map.of("TERM", "xterm")),
            home,
            home);
    Terminals terminals = new Terminals(config, workers);
    MemoryLink link = link(terminals);
    assertThat(refusal(link, Map.of("terminal", "bad"))).isEqualTo(ErrorCode.REFUSED);
    assertThat(terminals.ids()).isEmpty();
  }
}
