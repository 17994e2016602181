package dev.cms.gateway.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TemplateImageTest {

  @Test
  void theTagNamesTheTemplateAndHashesBaseAgentAndSetup() {
    String tag = TemplateImage.tag("python3", "sha256:base", "sha256:agent", "apt-get install x");

    assertThat(tag).matches("cms-template-python3:[0-9a-f]{16}");
    assertThat(TemplateImage.tag("python3", "sha256:base", "sha256:agent", "apt-get install x"))
        .as("the same inputs are the cached image")
        .isEqualTo(tag);
    assertThat(TemplateImage.tag("python3", "sha256:base2", "sha256:agent", "apt-get install x"))
        .isNotEqualTo(tag);
    assertThat(TemplateImage.tag("python3", "sha256:base", "sha256:agent2", "apt-get install x"))
        .isNotEqualTo(tag);
    assertThat(TemplateImage.tag("python3", "sha256:base", "sha256:agent", "apt-get install y"))
        .isNotEqualTo(tag);
  }

  @Test
  void theDockerfileRunsTheSetupAsRootOnTheAgentImageAndKeepsItsUser() {
    String withCa = TemplateImage.dockerfile("cms-appcontainer:abc", "lua", true);

    assertThat(withCa)
        .startsWith("FROM cms-appcontainer:abc\nUSER root\n")
        .contains("COPY build-ca.crt /etc/cms/build-ca.crt\n")
        .contains(
            "RUN NODE_EXTRA_CA_CERTS=/etc/cms/build-ca.crt NPM_CONFIG_CAFILE=/etc/cms/build-ca.crt"
                + " /bin/sh -e /opt/cms/template-setup.sh\n")
        .endsWith("WORKDIR /app\nUSER root\nLABEL cms.template=\"lua\"\n");
    assertThat(TemplateImage.dockerfile("cms-appcontainer:abc", "lua", false))
        .doesNotContain("build-ca")
        .contains("RUN /bin/sh -e /opt/cms/template-setup.sh\n");
  }
}
