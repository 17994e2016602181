package dev.cms.console;

import dev.cms.domain.http.HostPolicy;
import dev.cms.domain.http.SignInThrottle;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The console's own settings (MicroProfile Config; {@code CMS_…} environment variables). */
@ApplicationScoped
public class ConsoleSettings {

  @Inject
  @ConfigProperty(name = "cms.public.url")
  Optional<String> publicUrl;

  @Inject
  @ConfigProperty(name = "cms.allowed.hosts")
  Optional<String> allowedHosts;

  @Inject
  @ConfigProperty(name = "cms.console.session.minutes", defaultValue = "30")
  int sessionMinutes;

  @Inject
  @ConfigProperty(name = "cms.console.secure.cookie", defaultValue = "auto")
  String secureCookie;

  @Inject
  @ConfigProperty(name = "cms.sign.in.failures.per.address", defaultValue = "20")
  int signInFailuresPerAddress;

  @Inject
  @ConfigProperty(name = "cms.sign.in.window.seconds", defaultValue = "300")
  long signInWindowSeconds;

  private HostPolicy hostPolicy;
  private SignInThrottle signInThrottle;

  @PostConstruct
  void init() {
    hostPolicy = HostPolicy.of(publicUrl, allowedHosts);
    signInThrottle =
        new SignInThrottle(
            Math.max(1, signInFailuresPerAddress),
            Duration.ofSeconds(Math.max(1, signInWindowSeconds)),
            10_000);
  }

  /** Which {@code Host} a request may carry. */
  HostPolicy hostPolicy() {
    return hostPolicy;
  }

  /** Failed sign-ins per client address. */
  SignInThrottle signInThrottle() {
    return signInThrottle;
  }

  /** Idle minutes until a console session ends ({@code CMS_CONSOLE_SESSION_MINUTES}). */
  int sessionMinutes() {
    return Math.max(1, sessionMinutes);
  }

  /**
   * Whether the session cookie is {@code Secure} and named {@code __Host-cms-session} ({@code
   * CMS_CONSOLE_SECURE_COOKIE}: {@code true}, {@code false}, or {@code auto} = when {@code
   * CMS_PUBLIC_URL} is {@code https://…}).
   */
  boolean secureCookie() {
    String v = secureCookie.strip().toLowerCase(java.util.Locale.ROOT);
    return switch (v) {
      case "true" -> true;
      case "false" -> false;
      case "auto" -> publicUrl.map(u -> u.strip().startsWith("https://")).orElse(false);
      default ->
          throw new IllegalArgumentException(
              "CMS_CONSOLE_SECURE_COOKIE must be true, false or auto, was '" + secureCookie + "'");
    };
  }
}
