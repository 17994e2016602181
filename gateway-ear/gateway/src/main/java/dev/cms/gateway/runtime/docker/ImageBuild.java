package dev.cms.gateway.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.BuildImageCmd;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.BuildResponseItem;
import dev.cms.gateway.runtime.RuntimeFailureException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * One image build on the engine from an in-memory context: its output is logged line by line, its
 * last {@value #TAIL_CHARS} characters are kept for the failure's message, and it is bounded in
 * time (the build is abandoned, and the engine cancels it, when the timeout passes).
 */
final class ImageBuild {

  private static final Logger LOG = Logger.getLogger(ImageBuild.class.getName());

  /** How much of a build's output a failure carries. */
  static final int TAIL_CHARS = 4000;

  private final DockerClient client;
  private final String what;
  private final Map<String, byte[]> files = new LinkedHashMap<>();
  private final Map<String, String> args = new LinkedHashMap<>();
  private String network;

  /** A build of {@code what} (its name in the log and in failures). */
  ImageBuild(DockerClient client, String what) {
    this.client = client;
    this.what = what;
  }

  /** Adds a file to the build context. */
  ImageBuild file(String name, byte[] content) {
    files.put(name, content);
    return this;
  }

  /** Sets a build argument ({@code ARG}, or the engine's predefined proxy arguments). */
  ImageBuild arg(String name, String value) {
    args.put(name, value);
    return this;
  }

  /** Runs the build's {@code RUN} steps on this network instead of the engine's default bridge. */
  ImageBuild network(String name) {
    this.network = name;
    return this;
  }

  /**
   * Builds and tags the image; returns its id.
   *
   * @throws RuntimeFailureException when the build fails or passes the timeout; the message ends
   *     with the build's last output
   */
  String run(String tag, Duration timeout) {
    long start = System.nanoTime();
    StringBuilder tail = new StringBuilder();
    BuildImageResultCallback callback =
        new BuildImageResultCallback() {
          @Override
          public void onNext(BuildResponseItem item) {
            String line =
                item.getErrorDetail() != null
                    ? "ERROR " + item.getErrorDetail().getMessage()
                    : item.getStream();
            if (line != null && !line.isBlank()) {
              LOG.info(() -> "[" + what + " build] " + line.strip());
              synchronized (tail) {
                tail.append(line.endsWith("\n") ? line : line + "\n");
                if (tail.length() > TAIL_CHARS) {
                  tail.delete(0, tail.length() - TAIL_CHARS);
                }
              }
            }
            super.onNext(item);
          }
        };
    BuildImageCmd cmd =
        client
            .buildImageCmd(new ByteArrayInputStream(tar()))
            .withTags(Set.of(tag))
            .withPull(false)
            .withRemove(true)
            .withForcerm(true);
    args.forEach(cmd::withBuildArg);
    if (network != null) {
      cmd.withNetworkMode(network);
    }
    try {
      cmd.exec(callback);
      boolean done;
      try {
        done = callback.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        done = false;
      }
      if (!done) {
        closeQuietly(callback);
        throw new RuntimeFailureException(
            "building the "
                + what
                + " "
                + tag
                + " timed out after "
                + timeout.toSeconds()
                + " s"
                + tail(tail),
            null);
      }
      String id = callback.awaitImageId();
      long ms = (System.nanoTime() - start) / 1_000_000;
      LOG.info(() -> what + " " + tag + " built (" + id + ") in " + ms + " ms");
      return id;
    } catch (DockerClientException | DockerException e) {
      throw new RuntimeFailureException(
          "building the " + what + " " + tag + " failed: " + e.getMessage() + tail(tail), e);
    }
  }

  private static String tail(StringBuilder tail) {
    synchronized (tail) {
      String t = tail.toString().strip();
      return t.isEmpty() ? "" : "; last build output: " + t;
    }
  }

  private static void closeQuietly(BuildImageResultCallback callback) {
    try {
      callback.close();
    } catch (IOException e) {
      LOG.log(Level.FINE, "closing a build's stream", e);
    }
  }

  private byte[] tar() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      for (var f : files.entrySet()) {
        TarArchiveEntry entry = new TarArchiveEntry(f.getKey());
        entry.setSize(f.getValue().length);
        entry.setMode(0644);
        tar.putArchiveEntry(entry);
        tar.write(f.getValue());
        tar.closeArchiveEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
