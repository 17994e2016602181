package dev.cms.console;

import jakarta.enterprise.context.SessionScoped;
import java.io.Serializable;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a user's pages showed of each container they attached, so that a reload or a second tab of
 * the same session finds it again: the selected terminal and the previewed port and path. Per
 * session, in memory; the container itself is named by the page's URL ({@code ?c=c-…}).
 */
@SessionScoped
public class ConsoleMemory implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final int MAX_CONTAINERS = 64;

  /** One container's remembered view: terminal id, preview port (or null) and path. */
  public record Seen(String terminal, Integer previewPort, String previewPath)
      implements Serializable {}

  private final ConcurrentHashMap<String, Seen> byId = new ConcurrentHashMap<>();

  Optional<Seen> of(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  void terminal(String id, String terminal) {
    Seen s = byId.getOrDefault(id, new Seen("main", null, "/"));
    put(id, new Seen(terminal, s.previewPort(), s.previewPath()));
  }

  void preview(String id, Integer port, String path) {
    Seen s = byId.getOrDefault(id, new Seen("main", null, "/"));
    put(id, new Seen(s.terminal(), port, path));
  }

  void forget(String id) {
    byId.remove(id);
  }

  private void put(String id, Seen s) {
    if (!byId.containsKey(id) && byId.size() >= MAX_CONTAINERS) {
      byId.clear(); // a bound, not a cache policy: a session rarely sees this many
    }
    byId.put(id, s);
  }
}
