package dev.cms.gateway.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.cms.gateway.runtime.RuntimeFailureException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.logging.Logger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The AppContainer image: built from the agent's Dockerfile and the agent jar (both embedded in the
 * gateway as {@code appcontainer/agent.jar}), tagged {@code cms-appcontainer:<hash>} where the hash
 * covers the Dockerfile, the jar and the base image, so a changed agent gets a new image and an
 * unchanged one is reused.
 */
final class AppContainerImage {

  private static final Logger LOG = Logger.getLogger(AppContainerImage.class.getName());
  static final String REPOSITORY = "cms-appcontainer";
  private static final String AGENT_JAR = "appcontainer/agent.jar";
  private static final String DOCKERFILE_IN_JAR = "cms-image/Dockerfile";

  /** The base used when none is configured; pulled from a registry if the engine lacks it. */
  static final String DEFAULT_BASE = "node:22-bookworm-slim";

  /** The base {@code scripts/build-base-image.sh} makes on machines without a registry. */
  static final String LOCAL_BASE = "cms-base:bookworm";

  private final DockerClient client;
  private String baseImage;
  private volatile String ready;

  AppContainerImage(DockerClient client, String baseImage) {
    this.client = client;
    this.baseImage = baseImage;
  }

  /** The image reference, built first if the engine lacks it. */
  synchronized String ensure() {
    if (ready != null) {
      return ready;
    }
    baseImage = resolveBase(baseImage);
    byte[] jar = readAgentJar();
    byte[] dockerfile = dockerfileFrom(jar);
    String tag =
        REPOSITORY + ":" + hash(dockerfile, jar, baseImage.getBytes(StandardCharsets.UTF_8));
    try {
      client.inspectImageCmd(tag).exec();
      LOG.info(() -> "AppContainer image " + tag + " present; reusing it");
    } catch (NotFoundException missing) {
      build(tag, dockerfile, jar);
    }
    ready = tag;
    return tag;
  }

  /**
   * The default base when the engine has it, else the local Debian base when that exists (a machine
   * without a registry that ran scripts/build-base-image.sh), else the default (the build then
   * pulls it). A configured base is always used as configured.
   */
  private String resolveBase(String configured) {
    if (!DEFAULT_BASE.equals(configured) || present(configured) || !present(LOCAL_BASE)) {
      return configured;
    }
    LOG.warning(
        () ->
            "base image "
                + DEFAULT_BASE
                + " is not on this engine; using the local "
                + LOCAL_BASE
                + " (from scripts/build-base-image.sh). Set CMS_BASE_IMAGE to choose another.");
    return LOCAL_BASE;
  }

  private boolean present(String image) {
    try {
      client.inspectImageCmd(image).exec();
      return true;
    } catch (NotFoundException missing) {
      return false;
    }
  }

  /** A build far longer than any seen (about a minute here) is a hung one. */
  private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(30);

  private void build(String tag, byte[] dockerfile, byte[] jar) {
    LOG.info(() -> "building AppContainer image " + tag + " from base " + baseImage + " ...");
    try {
      new ImageBuild(client, "AppContainer image")
          .file("Dockerfile", dockerfile)
          .file("agent.jar", jar)
          .arg("BASE_IMAGE", baseImage)
          .run(tag, BUILD_TIMEOUT);
    } catch (RuntimeFailureException e) {
      String hint =
          String.valueOf(e.getMessage()).contains(baseImage)
              ? " (is the base image '"
                  + baseImage
                  + "' present? Without a registry build it with scripts/build-base-image.sh"
                  + " and set CMS_BASE_IMAGE)"
              : "";
      throw new RuntimeFailureException(e.getMessage() + hint, e);
    }
  }

  /** The base this image is built on (after {@link #ensure}: as resolved). */
  synchronized String base() {
    return baseImage;
  }

  private static byte[] readAgentJar() {
    try (InputStream in = AppContainerImage.class.getClassLoader().getResourceAsStream(AGENT_JAR)) {
      if (in == null) {
        throw new IllegalStateException(AGENT_JAR + " is missing from the gateway build");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] dockerfileFrom(byte[] jar) {
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(jar))) {
      for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
        if (DOCKERFILE_IN_JAR.equals(e.getName())) {
          return zip.readAllBytes();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException(DOCKERFILE_IN_JAR + " is missing from the agent jar");
  }

  static String hash(byte[]... parts) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (byte[] p : parts) {
        md.update(p);
        md.update((byte) 0);
      }
      return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
