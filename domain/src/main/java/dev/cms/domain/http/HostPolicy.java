package dev.cms.domain.http;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which {@code Host} header a request to the service may carry (DNS rebinding defence): the public
 * host (from {@code CMS_PUBLIC_URL}) and any host of {@code CMS_ALLOWED_HOSTS} — each on any port,
 * since a reverse proxy may stand in front — and {@code localhost} or a loopback address, only on
 * the port the request arrived on (or the public URL's port). Everything else is answered 421
 * Misdirected Request by both WARs.
 *
 * <p>Nothing the service does depends on a request's {@code Host} any more (server-side calls go to
 * configured or loopback addresses); the policy keeps a page served under a foreign name (an
 * attacker's domain rebound to this machine) from being answered at all.
 */
public final class HostPolicy {

  /** The body of a 421 answer (plain text: no page of ours for a host we do not serve). */
  public static final String MISDIRECTED =
      "421 Misdirected Request: this server does not answer for that host name; use its public"
          + " address (CMS_PUBLIC_URL, CMS_ALLOWED_HOSTS)\n";

  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?");

  private final List<String> names;
  private final int publicPort;

  private HostPolicy(List<String> names, int publicPort) {
    this.names = List.copyOf(names);
    this.publicPort = publicPort;
  }

  /**
   * The policy of a service.
   *
   * @param publicUrl {@code CMS_PUBLIC_URL}, if set
   * @param allowedHosts {@code CMS_ALLOWED_HOSTS}: comma-separated host names (a {@code :port} is
   *     accepted and ignored)
   * @throws IllegalArgumentException when one of them is malformed
   */
  public static HostPolicy of(Optional<String> publicUrl, Optional<String> allowedHosts) {
    List<String> names = new ArrayList<>();
    int publicPort = -1;
    if (publicUrl.isPresent() && !publicUrl.get().isBlank()) {
      URI u;
      try {
        u = URI.create(publicUrl.get().strip());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("CMS_PUBLIC_URL is not a URL: " + publicUrl.get(), e);
      }
      if (u.getHost() == null) {
        throw new IllegalArgumentException("CMS_PUBLIC_URL names no host: " + publicUrl.get());
      }
      names.add(u.getHost().toLowerCase(Locale.ROOT));
      publicPort =
          u.getPort() > 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }
    for (String h : allowedHosts.orElse("").split(",")) {
      if (h.isBlank()) {
        continue;
      }
      Host parsed =
          parse(h.strip())
              .orElseThrow(
                  () -> new IllegalArgumentException("CMS_ALLOWED_HOSTS: not a host name: " + h));
      names.add(parsed.name());
    }
    return new HostPolicy(names, publicPort);
  }

  /**
   * Whether a request carrying {@code hostHeader} is answered.
   *
   * @param hostHeader the request's {@code Host} (null when it had none)
   * @param localPort the port of the listener the request arrived on
   * @param secure whether the request arrived over TLS (the default port when none is named)
   */
  public boolean allows(String hostHeader, int localPort, boolean secure) {
    Optional<Host> h = parse(hostHeader);
    if (h.isEmpty()) {
      return false;
    }
    String name = h.get().name();
    if (names.contains(name)) {
      return true;
    }
    if (name.equals("localhost") || isLoopback(name)) {
      int port = h.get().port() > 0 ? h.get().port() : secure ? 443 : 80;
      return port == localPort || port == publicPort;
    }
    return false;
  }

  /** A parsed {@code Host}: the lower-case name (IPv6 in brackets) and the port, or -1. */
  record Host(String name, int port) {}

  static Optional<Host> parse(String header) {
    if (header == null || header.isBlank() || header.length() > 300) {
      return Optional.empty();
    }
    String h = header.strip().toLowerCase(Locale.ROOT);
    String name;
    String rest;
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      if (end < 0 || !h.substring(1, end).matches("[0-9a-f:.]+")) {
        return Optional.empty();
      }
      name = h.substring(0, end + 1);
      rest = h.substring(end + 1);
    } else {
      int colon = h.indexOf(':');
      name = colon < 0 ? h : h.substring(0, colon);
      rest = colon < 0 ? "" : h.substring(colon);
      if (name.endsWith(".")) {
        name = name.substring(0, name.length() - 1);
      }
      if (!NAME.matcher(name).matches()) {
        return Optional.empty();
      }
    }
    int port = -1;
    if (!rest.isEmpty()) {
      if (!rest.matches(":[0-9]{1,5}")) {
        return Optional.empty();
      }
      port = Integer.parseInt(rest.substring(1));
      if (port < 1 || port > 65535) {
        return Optional.empty();
      }
    }
    return Optional.of(new Host(name, port));
  }

  private static boolean isLoopback(String name) {
    if (name.equals("[::1]") || name.equals("[0:0:0:0:0:0:0:1]")) {
      return true;
    }
    String[] parts = name.split("\\.", -1);
    if (parts.length != 4 || !parts[0].equals("127")) {
      return false;
    }
    for (String p : parts) {
      if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }
}
