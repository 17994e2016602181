package dev.cms.gateway.templates.control;

import dev.cms.gateway.runtime.ImageRecipe;
import java.util.Objects;

/**
 * A template as configured.
 *
 * @param name its name: a lower case letter, then lower case letters, digits or dashes
 * @param description may be null
 * @param base its base image; null for the AppContainer base
 * @param setup shell commands run as root at build time; may be empty
 * @param configError why the configuration of this template is unusable (it is then FAILED and
 *     never built); null when it is fine
 */
public record TemplateDefinition(
    String name, String description, String base, String setup, String configError) {

  public TemplateDefinition {
    Objects.requireNonNull(name, "name");
    setup = setup == null ? "" : setup;
  }

  /** What the runtime builds for it. */
  public ImageRecipe recipe() {
    return new ImageRecipe(name, base, setup);
  }
}
