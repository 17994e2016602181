package dev.cms.gateway.templates.control;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * Reads the templates from the configuration: {@code CMS_TEMPLATES} names them (comma separated),
 * and per template {@code CMS_TEMPLATE_<NAME>_BASE}, {@code _SETUP} and {@code _DESCRIPTION}. A
 * name that cannot be a template is left out with a problem; a template whose settings are unusable
 * is kept, with its configuration error (so it shows as FAILED, saying why).
 */
public final class TemplateConfig {

  /** The implicit template: the AppContainer image as it is. */
  public static final String DEFAULT = "default";

  /** At most this many templates; each is an image build at start. */
  public static final int MAX_TEMPLATES = 32;

  static final int MAX_SETUP_CHARS = 65_536;
  static final int MAX_DESCRIPTION_CHARS = 500;

  /** A valid Docker repository component and environment variable part; kept short. */
  static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");

  private static final Pattern IMAGE_REFERENCE =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@-]{0,254}");

  /** The templates read, in the configured order, and what was wrong with the configuration. */
  public record Parsed(List<TemplateDefinition> templates, List<String> problems) {}

  private TemplateConfig() {}

  /**
   * Parses the configuration.
   *
   * @param names the value of {@code CMS_TEMPLATES}
   * @param setting a template's setting by name and key ({@code base}, {@code setup}, {@code
   *     description})
   */
  public static Parsed parse(String names, BiFunction<String, String, Optional<String>> setting) {
    List<TemplateDefinition> out = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (String raw : (names == null ? "" : names).split(",")) {
      String name = raw.strip();
      if (name.isEmpty()) {
        continue;
      }
      if (!NAME.matcher(name).matches()) {
        problems.add(
            "template name '"
                + name
                + "' is not valid (a lower case letter, then up to 31 lower case letters, digits"
                + " or dashes); left out");
        continue;
      }
      if (DEFAULT.equals(name)) {
        problems.add("template name 'default' is reserved for the AppContainer image; left out");
        continue;
      }
      if (!seen.add(name)) {
        problems.add("template '" + name + "' is named twice; the first one counts");
        continue;
      }
      if (out.size() == MAX_TEMPLATES) {
        problems.add("more than " + MAX_TEMPLATES + " templates; '" + name + "' left out");
        continue;
      }
      out.add(definition(name, setting));
    }
    return new Parsed(List.copyOf(out), List.copyOf(problems));
  }

  private static TemplateDefinition definition(
      String name, BiFunction<String, String, Optional<String>> setting) {
    String base =
        setting.apply(name, "base").map(String::strip).filter(s -> !s.isEmpty()).orElse(null);
    String setup = setting.apply(name, "setup").orElse("");
    String description =
        setting
            .apply(name, "description")
            .map(String::strip)
            .filter(s -> !s.isEmpty())
            .orElse(null);
    String error = null;
    if (base != null && !IMAGE_REFERENCE.matcher(base).matches()) {
      error = "its base '" + base + "' is not an image reference";
    } else if (setup.length() > MAX_SETUP_CHARS) {
      error = "its setup has " + setup.length() + " characters; at most " + MAX_SETUP_CHARS;
    } else if (setup.indexOf('\0') >= 0) {
      error = "its setup contains a NUL character";
    }
    if (description != null && description.length() > MAX_DESCRIPTION_CHARS) {
      description = description.substring(0, MAX_DESCRIPTION_CHARS);
    }
    return new TemplateDefinition(
        name, description, base, setup, error == null ? null : "configuration: " + error);
  }
}
