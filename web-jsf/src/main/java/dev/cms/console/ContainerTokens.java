package dev.cms.console;

import jakarta.enterprise.context.SessionScoped;
import jakarta.json.JsonObject;
import java.io.Serializable;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client tokens of containers this console created, as the create answer carried them: the
 * fallback to attach again when the gateway does not offer {@code GET …/token}. Per session: one
 * user's tokens are never another's.
 */
@SessionScoped
public class ContainerTokens implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Where and how a browser attaches to a container's terminals. */
  public record Attachment(String websocketUrl, String token) implements Serializable {}

  private final ConcurrentHashMap<String, Attachment> byId = new ConcurrentHashMap<>();

  void remember(JsonObject created) {
    String token = created.getString("token", null);
    String url = created.getString("websocketUrl", null);
    if (token != null && url != null) {
      byId.put(created.getString("id"), new Attachment(url, token));
    }
  }

  Optional<Attachment> of(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  void forget(String id) {
    byId.remove(id);
  }
}
