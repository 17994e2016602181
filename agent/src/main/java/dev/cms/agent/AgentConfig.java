package dev.cms.agent;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The agent's settings, read from the environment the gateway gives the container.
 *
 * @param url the gateway's agent endpoint, {@code ws://…/ws/v1/agent} ({@code CMS_AGENT_URL})
 * @param secret the one-time agent secret ({@code CMS_AGENT_SECRET})
 * @param containerId the record id the container was created for ({@code CMS_CONTAINER_ID})
 * @param heartbeatMillis overrides the WELCOME's heartbeat interval ({@code
 *     CMS_AGENT_HEARTBEAT_MS}, optional)
 */
record AgentConfig(URI url, String secret, String containerId, OptionalInt heartbeatMillis) {

  static final String URL = "CMS_AGENT_URL";
  static final String SECRET = "CMS_AGENT_SECRET";
  static final String CONTAINER_ID = "CMS_CONTAINER_ID";
  static final String HEARTBEAT = "CMS_AGENT_HEARTBEAT_MS";

  AgentConfig {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(containerId, "containerId");
    Objects.requireNonNull(heartbeatMillis, "heartbeatMillis");
  }

  /**
   * Reads the settings.
   *
   * @throws IllegalArgumentException naming every missing or malformed variable
   */
  static AgentConfig fromEnv(Map<String, String> env) {
    List<String> missing = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    String url = value(env, URL, missing);
    String secret = value(env, SECRET, missing);
    String containerId = value(env, CONTAINER_ID, missing);
    if (!missing.isEmpty()) {
      problems.add("missing environment variable(s) " + String.join(", ", missing));
    }
    URI uri = null;
    if (url != null) {
      try {
        uri = new URI(url);
        if (!"ws".equalsIgnoreCase(uri.getScheme()) && !"wss".equalsIgnoreCase(uri.getScheme())
            || uri.getHost() == null) {
          problems.add(URL + " must be a ws:// or wss:// URL with a host, not " + url);
        }
      } catch (URISyntaxException e) {
        problems.add(URL + " is not a URL: " + e.getMessage());
      }
    }
    OptionalInt heartbeat = OptionalInt.empty();
    String hb = env.get(HEARTBEAT);
    if (hb != null && !hb.isBlank()) {
      try {
        int ms = Integer.parseInt(hb.trim());
        if (ms <= 0) {
          throw new NumberFormatException();
        }
        heartbeat = OptionalInt.of(ms);
      } catch (NumberFormatException e) {
        problems.add(HEARTBEAT + " must be a positive number of milliseconds, not " + hb);
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return new AgentConfig(uri, secret, containerId, heartbeat);
  }

  private static String value(Map<String, String> env, String name, List<String> missing) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      missing.add(name);
      return null;
    }
    return v.trim();
  }

  @Override
  public String toString() {
    return "AgentConfig[url=%s, containerId=%s, secret=***, heartbeatMillis=%s]"
        .formatted(url, containerId, heartbeatMillis);
  }
}
