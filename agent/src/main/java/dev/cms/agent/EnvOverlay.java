package dev.cms.agent;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The environment a warm-pool container's agent got at claim time (the {@code env} stream), laid
 * over the shell environment the container started with: the create request's variables win, as
 * they do in the engine's environment of a container created for its user, except the variables
 * that name the shell's user and terminal ({@link #KEPT}), which the agent sets itself in both
 * cases. Applies to every shell, process and command started after {@link #apply}.
 */
final class EnvOverlay {

  /** What the agent always sets itself (see {@link TerminalConfig#shellEnv}). */
  static final Set<String> KEPT = Set.of("TERM", "HOME", "USER", "LOGNAME", "SHELL");

  private volatile Map<String, String> vars = Map.of();

  /** Replaces the overlay's variables (names and values checked by the caller). */
  void apply(Map<String, String> env) {
    Map<String, String> copy = new TreeMap<>(env);
    KEPT.forEach(copy::remove);
    copy.keySet().removeIf(n -> n.startsWith(TerminalConfig.SERVICE_PREFIX));
    vars = Collections.unmodifiableMap(copy);
  }

  /** {@code base} with the overlay's variables over it. */
  Map<String, String> over(Map<String, String> base) {
    Map<String, String> v = vars;
    if (v.isEmpty()) {
      return base;
    }
    Map<String, String> merged = new TreeMap<>(base);
    merged.putAll(v);
    return Collections.unmodifiableMap(merged);
  }

  @Override
  public String toString() {
    return "EnvOverlay" + vars.keySet();
  }
}
