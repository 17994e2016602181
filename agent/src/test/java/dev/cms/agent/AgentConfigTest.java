package dev.cms.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class AgentConfigTest {
  private static final Map<String, String> VALID =
      Map.of(
          "CMS_AGENT_URL", "ws://host.docker.internal:8080/ws/v1/agent",
          "CMS_AGENT_SECRET", "s3cr3t",
          "CMS_CONTAINER_ID", "c-1");

  @Test
  void readsTheRequiredVariables() {
    AgentConfig c = AgentConfig.fromEnv(VALID);

    assertThat(c.url()).isEqualTo(URI.create("ws://host.docker.internal:8080/ws/v1/agent"));
    assertThat(c.secret()).isEqualTo("s3cr3t");
    assertThat(c.containerId()).isEqualTo("c-1");
    assertThat(c.heartbeatMillis()).isEmpty();
  }

  @Test
  void heartbeatOverrideIsOptional() {
    Map<String, String> env = new java.util.HashMap<>(VALID);
    env.put("CMS_AGENT_HEARTBEAT_MS", " 2500 ");

    assertThat(AgentConfig.fromEnv(env).heartbeatMillis()).isEqualTo(OptionalInt.of(2500));

    env.put("CMS_AGENT_HEARTBEAT_MS", "-1");
    assertThatThrownBy(() -> AgentConfig.fromEnv(env))
        .hasMessage("CMS_AGENT_HEARTBEAT_MS must be a positive number of milliseconds, not -1");
  }

  @Test
  void namesEveryMissingVariable() {
    assertThatThrownBy(() -> AgentConfig.fromEnv(Map.of("CMS_CONTAINER_ID", "c-1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("missing environment variable(s) CMS_AGENT_URL, CMS_AGENT_SECRET");
    assertThatThrownBy(() -> AgentConfig.fromEnv(Map.of()))
        .hasMessage(
            "missing environment variable(s) CMS_AGENT_URL, CMS_AGENT_SECRET, CMS_CONTAINER_ID");
  }

  @Test
  void blankCountsAsMissing() {
    Map<String, String> env = new java.util.HashMap<>(VALID);
    env.put("CMS_AGENT_SECRET", "  ");

    assertThatThrownBy(() -> AgentConfig.fromEnv(env))
        .hasMessage("missing environment variable(s) CMS_AGENT_SECRET");
  }

  @Test
  void urlMustBeAWebSocketUrl() {
    Map<String, String> env = new java.util.HashMap<>(VALID);
    env.put("CMS_AGENT_URL", "http://gateway/ws/v1/agent");

    assertThatThrownBy(() -> AgentConfig.fromEnv(env))
        .hasMessage(
            "CMS_AGENT_URL must be a ws:// or wss:// URL with a host, not http://gateway/ws/v1/agent");
  }

  @Test
  void secretStaysOutOfToString() {
    assertThat(AgentConfig.fromEnv(VALID).toString()).doesNotContain("s3cr3t");
  }
}
