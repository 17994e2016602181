package dev.cms.gateway.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.cms.gateway.runtime.ImageRecipe;
import dev.cms.gateway.runtime.RuntimeFailureException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The image of a template, built as a Docker build: {@code FROM} the AppContainer image of the
 * template's base (base + agent), then the template's setup script run as root in one {@code RUN}
 * step, with the extra CA bundle and the proxy variables the gateway has (so {@code apt-get} and
 * {@code npm} reach their registries as in a container), on the containers' own network. Tagged
 * {@code cms-template-<name>:<hash>}; the hash covers the base's image id, the agent image's id,
 * the setup and the recipe below, so an unchanged template is reused across restarts and any change
 * builds a new image. The run-time hardening is that of every container: the image keeps the
 * agent's entry point, user and work directory.
 */
final class TemplateImage {

  private static final Logger LOG = Logger.getLogger(TemplateImage.class.getName());

  static final String REPOSITORY_PREFIX = "cms-template-";
  private static final String SETUP_IN_IMAGE = "/opt/cms/template-setup.sh";
  private static final String CA_IN_IMAGE = "/etc/cms/build-ca.crt";

  private TemplateImage() {}

  /**
   * The Dockerfile of a template image on the given AppContainer image; part of the hash, so a
   * change to it builds every template again.
   */
  static String dockerfile(String agentImage, String name, boolean withCa) {
    StringBuilder d = new StringBuilder();
    d.append("FROM ").append(agentImage).append('\n');
    d.append("USER root\n");
    d.append("COPY setup.sh ").append(SETUP_IN_IMAGE).append('\n');
    String caEnv = "";
    if (withCa) {
      d.append("COPY build-ca.crt ").append(CA_IN_IMAGE).append('\n');
      caEnv = "NODE_EXTRA_CA_CERTS=" + CA_IN_IMAGE + " NPM_CONFIG_CAFILE=" + CA_IN_IMAGE + " ";
    }
    d.append("RUN ").append(caEnv).append("/bin/sh -e ").append(SETUP_IN_IMAGE).append('\n');
    // as the agent's Dockerfile leaves it: the agent starts as root and drops the user's processes
    d.append("WORKDIR /app\nUSER root\n");
    d.append("LABEL cms.template=\"").append(name).append("\"\n");
    return d.toString();
  }

  /** The tag of a template's image: its repository and the hash of everything it is made of. */
  static String tag(String name, String baseId, String agentImageId, String setup) {
    return REPOSITORY_PREFIX
        + name
        + ":"
        + AppContainerImage.hash(
            baseId.getBytes(StandardCharsets.UTF_8),
            agentImageId.getBytes(StandardCharsets.UTF_8),
            setup.getBytes(StandardCharsets.UTF_8),
            dockerfile("", name, false).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The template's image reference, built first when the engine lacks it.
   *
   * @param agent the AppContainer image of the template's base (built first if missing)
   * @param proxyVars proxy variables handed to the setup as the engine's predefined build args
   */
  static String ensure(
      DockerClient client,
      ImageRecipe recipe,
      AppContainerImage agent,
      Optional<Path> caBundle,
      Map<String, String> proxyVars,
      String network,
      Duration timeout) {
    String agentTag = agent.ensure();
    String baseId = imageId(client, agent.base());
    String agentId = imageId(client, agentTag);
    String tag = tag(recipe.name(), baseId, agentId, recipe.setup());
    try {
      client.inspectImageCmd(tag).exec();
      LOG.info(() -> "template " + recipe.name() + " image " + tag + " present; reusing it");
      return tag;
    } catch (NotFoundException missing) {
      // build it
    }
    LOG.info(
        () ->
            "building template "
                + recipe.name()
                + " image "
                + tag
                + " on "
                + agentTag
                + " (base "
                + agent.base()
                + ") ...");
    ImageBuild build =
        new ImageBuild(client, "template " + recipe.name() + " image")
            .file(
                "Dockerfile",
                dockerfile(agentTag, recipe.name(), caBundle.isPresent())
                    .getBytes(StandardCharsets.UTF_8))
            .file("setup.sh", recipe.setup().getBytes(StandardCharsets.UTF_8))
            .network(network);
    if (caBundle.isPresent()) {
      try {
        build.file("build-ca.crt", Files.readAllBytes(caBundle.get()));
      } catch (IOException e) {
        throw new RuntimeFailureException(
            "CMS_EXTRA_CA_BUNDLE " + caBundle.get() + " is not readable: " + e.getMessage(), e);
      }
    }
    proxyVars.forEach(build::arg);
    build.run(tag, timeout);
    return tag;
  }

  private static String imageId(DockerClient client, String image) {
    try {
      return client.inspectImageCmd(image).exec().getId();
    } catch (NotFoundException e) {
      throw new RuntimeFailureException("image " + image + " is not on the engine", e);
    }
  }
}
