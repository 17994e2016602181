package dev.cms.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TerminalConfigTest {

  @Test
  void defaults() {
    TerminalConfig c = TerminalConfig.fromEnv(Map.of("CMS_AGENT_SECRET", "s3cr3t"));
    assertThat(c.logBytes()).isEqualTo(4 * 1024 * 1024);
    assertThat(c.shell()).containsExactly("/bin/bash"); // present on this machine
    assertThat(c.home()).isEqualTo(Path.of("/home/node"));
    assertThat(c.env())
        .containsEntry("TERM", "xterm-256color")
        .containsEntry("HOME", "/home/node")
        .containsEntry("LANG", "C.UTF-8")
        .containsEntry("SHELL", "/bin/bash")
        .containsEntry("PATH", TerminalConfig.DEFAULT_PATH)
        .containsKeys("USER", "LOGNAME")
        .doesNotContainKey("CMS_AGENT_SECRET");
  }

  @Test
  void takesHomePathLangAndUserFromTheAgent() {
    TerminalConfig c =
        TerminalConfig.fromEnv(
            Map.of(
                "HOME",
                "/h",
                "PATH",
                "/p",
                "LANG",
                "de_DE.UTF-8",
                "USER",
                "node",
                "CMS_TERMINAL_LOG_BYTES",
                "2097152"));
    assertThat(c.logBytes()).isEqualTo(2 * 1024 * 1024);
    assertThat(c.env())
        .containsEntry("HOME", "/h")
        .containsEntry("PATH", "/p")
        .containsEntry("LANG", "de_DE.UTF-8")
        .containsEntry("USER", "node")
        .containsEntry("LOGNAME", "node");
    assertThat(c.workingDirectory()).isEqualTo(Path.of("/")); // neither /app nor /h exist here
  }

  @Test
  void theShellGetsTheContainersEnvironmentButNoneOfTheServicesOwnVariables() {
    TerminalConfig c =
        TerminalConfig.fromEnv(
            Map.of(
                "FOO", "bar",
                "NODE_EXTRA_CA_CERTS", "/etc/cms/extra-ca.crt",
                "NPM_CONFIG_CAFILE", "/etc/cms/extra-ca.crt",
                "HTTPS_PROXY", "http://proxy:3128",
                "CMS_AGENT_SECRET", "s3cr3t",
                "CMS_AGENT_URL", "ws://gw/ws/v1/agent",
                "CMS_CONTAINER_ID", "c-1",
                "TERM", "dumb"));
    assertThat(c.env())
        .containsEntry("FOO", "bar")
        .containsEntry("NODE_EXTRA_CA_CERTS", "/etc/cms/extra-ca.crt")
        .containsEntry("NPM_CONFIG_CAFILE", "/etc/cms/extra-ca.crt")
        .containsEntry("HTTPS_PROXY", "http://proxy:3128")
        .containsEntry("TERM", "xterm-256color");
    assertThat(c.env().keySet()).noneMatch(name -> name.startsWith("CMS_"));
  }

  @Test
  void theLogIsAtLeastOneMebibyte() {
    assertThat(TerminalConfig.fromEnv(Map.of("CMS_TERMINAL_LOG_BYTES", "1000")).logBytes())
        .isEqualTo(1024 * 1024);
    assertThatThrownBy(() -> TerminalConfig.fromEnv(Map.of("CMS_TERMINAL_LOG_BYTES", "4M")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CMS_TERMINAL_LOG_BYTES");
  }
}
