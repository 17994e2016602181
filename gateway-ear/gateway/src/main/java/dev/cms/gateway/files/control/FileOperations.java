package dev.cms.gateway.files.control;

import dev.cms.domain.files.FileOp;
import dev.cms.domain.files.FsWire;
import dev.cms.domain.files.Rule;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.LengthPrefixed;
import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamKind;
import dev.cms.domain.protocol.StreamRefusedException;
import dev.cms.gateway.agents.control.Agents;
import dev.cms.gateway.problems.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * List, stat, delete, move and make directories in a container: one agent stream per call ({@link
 * FsWire}), the agent's {@code Failed(rule, …)} mapped to a problem naming the rule. What the agent
 * sends is bounded here: at most {@value #MAX_ENTRIES} entries, each path checked to lie under the
 * listed directory; more, or a malformed message, resets the stream and fails the call.
 */
@ApplicationScoped
public class FileOperations {

  /** Default and largest entry count of one listing; the largest depth. */
  public static final int DEFAULT_LIMIT = 1000;

  public static final int MAX_LIMIT = 10_000;
  public static final int MAX_DEPTH = 8;

  static final int MAX_ENTRIES = MAX_LIMIT;
  private static final long OPEN_TIMEOUT_S = 10;
  private static final long RESULT_TIMEOUT_S = 120;
  private static final Logger LOG = Logger.getLogger(FileOperations.class.getName());

  @Inject Agents agents;

  /** Lists {@code path} to {@code depth} levels, at most {@code limit} entries. */
  public Listing list(String containerId, String path, Integer depth, Integer limit) {
    int d = depth == null ? 1 : depth;
    int max = limit == null ? DEFAULT_LIMIT : limit;
    if (d < 1 || d > MAX_DEPTH) {
      throw ApiException.badRequest("depth must be 1 to " + MAX_DEPTH + ", was " + d)
          .withRule("bad-param");
    }
    if (max < 1 || max > MAX_LIMIT) {
      throw ApiException.badRequest("limit must be 1 to " + MAX_LIMIT + ", was " + max)
          .withRule("bad-param");
    }
    Outcome o = run(containerId, new FileOp.List(path, d, max), max);
    String root = trimmed(path);
    List<FileEntry> entries = new ArrayList<>();
    for (FsWire.Entry e : o.entries) {
      String rel = e.path();
      if (rel.isEmpty() || rel.startsWith("/") || ("/" + rel + "/").contains("/../")) {
        throw new ApiException(
            502, "Bad Gateway", "the agent sent an entry outside the list", null);
      }
      entries.add(view(e, root.equals("/") ? "/" + rel : root + "/" + rel));
    }
    return new Listing(root, d, entries, o.done.truncated());
  }

  /** The entry of one path (a link is described, not followed). */
  public FileEntry stat(String containerId, String path) {
    Outcome o = run(containerId, new FileOp.Stat(path), 1);
    if (o.entries.size() != 1) {
      throw new ApiException(502, "Bad Gateway", "the agent sent no entry", null);
    }
    FsWire.Entry e = o.entries.get(0);
    return view(e, e.path());
  }

  /** Deletes a path; a non-empty directory only when {@code recursive}. Returns the count. */
  public int delete(String containerId, String path, boolean recursive) {
    return run(containerId, new FileOp.Delete(path, recursive), 0).done.count();
  }

  /** Renames {@code from} to {@code to}; replaces an existing {@code to} only on overwrite. */
  public void move(String containerId, String from, String to, boolean overwrite) {
    run(containerId, new FileOp.Move(from, to, overwrite), 0);
  }

  /** Makes a directory (mode 755), with its missing parents when {@code parents}. */
  public void mkdir(String containerId, String path, boolean parents) {
    run(containerId, new FileOp.Mkdir(path, parents), 0);
  }

  static FileEntry view(FsWire.Entry e, String absolute) {
    String name = absolute.equals("/") ? "/" : absolute.substring(absolute.lastIndexOf('/') + 1);
    return new FileEntry(
        name,
        absolute,
        e.type().apiName(),
        e.size(),
        String.format("%04o", e.mode()),
        Instant.ofEpochMilli(e.modified()));
  }

  private static String trimmed(String path) {
    String p = path.replaceAll("/+", "/");
    while (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }

  /** What one operation stream brought. */
  private record Outcome(List<FsWire.Entry> entries, FsWire.Done done) {}

  private Outcome run(String containerId, FileOp.Open op, int maxEntries) {
    StreamKind kind = op.kind();
    Agents.Link link =
        agents
            .link(containerId)
            .orElseThrow(
                () ->
                    ApiException.unavailable(
                        "the agent of container " + containerId + " is not connected", null));
    Collector c = new Collector(maxEntries);
    try {
      link.mux().open(kind, op.params(), c).get(OPEN_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StreamRefusedException r) {
        throw Refusals.problem("refused", "the agent refused " + kind + ": " + r.getMessage());
      }
      throw ApiException.unavailable("the agent could not be reached", e);
    } catch (TimeoutException e) {
      throw ApiException.unavailable("the agent did not answer within " + OPEN_TIMEOUT_S + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.unavailable("interrupted", e);
    }
    FsWire.Message end;
    try {
      end = c.end.get(RESULT_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw ApiException.unavailable("no result from the agent", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.unavailable("interrupted", e);
    }
    if (end instanceof FsWire.Failed f) {
      throw Refusals.problem(f.rule(), f.message());
    }
    if (!(end instanceof FsWire.Done done)) {
      throw new ApiException(
          502, "Bad Gateway", "the agent ended the operation without a result", null);
    }
    return new Outcome(List.copyOf(c.entries), done);
  }

  /** Collects entries up to a bound, then the one Done or Failed. */
  private static final class Collector implements StreamHandler {
    final int maxEntries;
    final List<FsWire.Entry> entries = new ArrayList<>();
    final CompletableFuture<FsWire.Message> end = new CompletableFuture<>();
    final LengthPrefixed<FsWire.Message> decoder = FsWire.decoder();

    Collector(int maxEntries) {
      this.maxEntries = maxEntries;
    }

    @Override
    public void onOpen(Stream s) {
      s.close(); // nothing to send
    }

    @Override
    public void onData(Stream s, byte[] data) {
      if (end.isDone()) {
        return;
      }
      try {
        for (FsWire.Message m : decoder.feed(data)) {
          if (m instanceof FsWire.Entry e && entries.size() < maxEntries) {
            entries.add(e);
          } else if (m instanceof FsWire.Done || m instanceof FsWire.Failed) {
            end.complete(m);
            return;
          } else {
            throw new ProtocolException("unexpected file message " + m.getClass().getSimpleName());
          }
        }
      } catch (ProtocolException e) {
        LOG.warning(() -> "agent broke a file stream: " + e.getMessage());
        end.complete(new FsWire.Failed(Rule.IO_ERROR.wire(), "the agent sent a malformed answer"));
        s.reset(ErrorCode.PROTOCOL, e.getMessage());
      }
    }

    @Override
    public void onClose(Stream s) {
      end.complete(null);
    }

    @Override
    public void onReset(Stream s, int code, String reason) {
      end.complete(new FsWire.Failed(Rule.IO_ERROR.wire(), "the operation was aborted: " + reason));
    }
  }
}
