package dev.cms.gateway.templates.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TemplateConfigTest {

  private final Map<String, String> settings = new HashMap<>();

  private TemplateConfig.Parsed parse(String names) {
    return TemplateConfig.parse(
        names, (name, key) -> Optional.ofNullable(settings.get(name + "." + key)));
  }

  @Test
  void eachNamedTemplateGetsItsBaseSetupAndDescriptionInTheConfiguredOrder() {
    settings.put("python3.setup", "apt-get update && apt-get install -y python3");
    settings.put("python3.description", "  Python 3 from Debian  ");
    settings.put("node-22.base", " node:22-bookworm-slim ");

    TemplateConfig.Parsed parsed = parse(" python3 , node-22 ,,");

    assertThat(parsed.problems()).isEmpty();
    assertThat(parsed.templates())
        .containsExactly(
            new TemplateDefinition(
                "python3",
                "Python 3 from Debian",
                null,
                "apt-get update && apt-get install -y python3",
                null),
            new TemplateDefinition("node-22", null, "node:22-bookworm-slim", "", null));
    assertThat(parsed.templates().get(0).recipe().base()).isNull();
    assertThat(parsed.templates().get(1).recipe().base()).isEqualTo("node:22-bookworm-slim");
  }

  @Test
  void nothingConfiguredIsNoTemplate() {
    assertThat(parse("").templates()).isEmpty();
    assertThat(parse(null).templates()).isEmpty();
    assertThat(parse(" , ").problems()).isEmpty();
  }

  @Test
  void badNamesTheReservedDefaultAndRepeatsAreLeftOutWithAProblemEach() {
    TemplateConfig.Parsed parsed = parse("Python,default,a_b,9x,ok,ok," + "x".repeat(33));

    assertThat(parsed.templates()).extracting(TemplateDefinition::name).containsExactly("ok");
    assertThat(parsed.problems())
        .hasSize(6)
        .anySatisfy(p -> assertThat(p).contains("'Python'").contains("not valid"))
        .anySatisfy(p -> assertThat(p).contains("'default' is reserved"))
        .anySatisfy(p -> assertThat(p).contains("'ok' is named twice"));
  }

  @Test
  void atMostMaxTemplatesAreRead() {
    StringBuilder names = new StringBuilder();
    for (int i = 0; i <= TemplateConfig.MAX_TEMPLATES; i++) {
      names.append("t").append(i).append(',');
    }
    TemplateConfig.Parsed parsed = parse(names.toString());
    assertThat(parsed.templates()).hasSize(TemplateConfig.MAX_TEMPLATES);
    assertThat(parsed.problems()).singleElement().asString().contains("more than 32");
  }

  @Test
  void unusableSettingsKeepTheTemplateWithItsConfigurationError() {
    settings.put("badbase.base", "not an image");
    settings.put("huge.setup", "x".repeat(TemplateConfig.MAX_SETUP_CHARS + 1));
    settings.put("long.description", "d".repeat(1000));

    TemplateConfig.Parsed parsed = parse("badbase,huge,long");

    assertThat(parsed.templates().get(0).configError()).contains("not an image reference");
    assertThat(parsed.templates().get(1).configError()).contains("at most 65536");
    assertThat(parsed.templates().get(2).configError()).isNull();
    assertThat(parsed.templates().get(2).description())
        .hasSize(TemplateConfig.MAX_DESCRIPTION_CHARS);
  }
}
