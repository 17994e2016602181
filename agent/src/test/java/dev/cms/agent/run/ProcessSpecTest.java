package dev.cms.agent.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.domain.protocol.StreamRefusedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessSpecTest {
  @TempDir Path dir;

  @Test
  void noProcessParamsMeansNoSpec() throws Exception {
    assertThat(ProcessSpec.fromParams(Map.of("terminal", "main", "cols", "80"))).isNull();
  }

  @Test
  void commandRunsThroughALoginBashOrPlainSh() throws Exception {
    ProcessSpec s = ProcessSpec.fromParams(Map.of("command", "npm start"));
    assertThat(s.argv(List.of("/bin/bash"))).containsExactly("/bin/bash", "-lc", "npm start");
    assertThat(s.argv(List.of("/bin/sh"))).containsExactly("/bin/sh", "-c", "npm start");
    assertThat(s.isCommand()).isTrue();
  }

  @Test
  void cwdAndEnvWithoutCommandKeepTheInteractiveShell() throws Exception {
    ProcessSpec s =
        ProcessSpec.fromParams(Map.of("cwd", dir.toString() + "/.", "env.PORT", "3000"));
    assertThat(s.isCommand()).isFalse();
    assertThat(s.argv(List.of("/bin/bash"))).containsExactly("/bin/bash");
    assertThat(s.directory(Path.of("/app"))).isEqualTo(dir);
    assertThat(s.environment(Map.of("PATH", "/bin", "PORT", "1")))
        .containsEntry("PORT", "3000")
        .containsEntry("PATH", "/bin");
  }

  @Test
  void refusals() {
    assertThatThrownBy(() -> ProcessSpec.fromParams(Map.of("command", "")))
        .isInstanceOf(StreamRefusedException.class);
    assertThatThrownBy(() -> ProcessSpec.fromParams(Map.of("cwd", "app")))
        .hasMessageContaining("absolute");
    assertThatThrownBy(() -> ProcessSpec.fromParams(Map.of("env.A-B", "x")))
        .hasMessageContaining("env.A-B");
    assertThatThrownBy(() -> ProcessSpec.fromParams(Map.of("env.", "x")))
        .isInstanceOf(StreamRefusedException.class);
    assertThatThrownBy(() -> ProcessSpec.fromParams(Map.of("command", "x", "port", "0")))
        .hasMessageContaining("port");
    assertThatThrownBy(() -> ProcessSpec.fromParams(Map.of("command", "x", "port", "http")))
        .hasMessageContaining("port");
  }

  @Test
  void thePortTheGatewayGaveIsKeptWithTheCommand() throws Exception {
    ProcessSpec s = ProcessSpec.fromParams(Map.of("command", "npm start", "port", "5173"));
    assertThat(s.port()).isEqualTo(5173);
    assertThat(ProcessSpec.fromParams(Map.of("command", "npm start")).port()).isNull();
  }

  @Test
  void killGraceFromTheEnvironment() {
    assertThat(ProcessSpec.killGrace(Map.of())).isEqualTo(Duration.ofSeconds(5));
    assertThat(ProcessSpec.killGrace(Map.of("CMS_KILL_GRACE_MS", "1500")))
        .isEqualTo(Duration.ofMillis(1500));
    assertThat(ProcessSpec.killGrace(Map.of("CMS_KILL_GRACE_MS", "soon")))
        .isEqualTo(Duration.ofSeconds(5));
  }
}
