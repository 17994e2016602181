package dev.cms.gateway.runtime;

import java.util.Objects;

/**
 * How to make the image of a named template: a base image with the agent added (as the AppContainer
 * image has it), and setup commands run on top as root at build time. The runtime builds it once
 * and reuses it while base, setup and agent are unchanged.
 *
 * @param name the template's name (lower case letters, digits and dashes)
 * @param base the base image; {@code null} or blank means the AppContainer image's base
 * @param setup shell commands ({@code /bin/sh -e}) run as root in the image; may be empty
 */
public record ImageRecipe(String name, String base, String setup) {
  public ImageRecipe {
    Objects.requireNonNull(name, "name");
    base = base == null || base.isBlank() ? null : base.strip();
    setup = setup == null ? "" : setup;
  }
}
