package dev.cms.gateway.preview.control;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a preview request goes, as read from its {@code Host} and path (nothing is checked here but
 * the syntax: the secret is verified by {@link PreviewUrls#matches}).
 *
 * @param form how the request named the preview
 * @param containerId the container record id ({@code c-} and 12 characters), as given
 * @param secret the secret as given (possibly wrong)
 * @param port the app's port inside the container, 1 to 65535
 * @param target the request target the app sees: its path (raw, still percent-encoded) and query
 * @param prefix the path prefix the gateway removed ({@code ""} for the host form)
 * @param valid whether the address is well formed; a malformed one is still a preview request
 *     (answered 404), so it never falls through to the gateway's own resources
 * @param missingSlash for the path form {@code /preview/{id}-{secret}/{port}} without the slash
 *     after the port: answered with a redirect that adds it, so relative links resolve
 */
public record PreviewAddress(
    Form form,
    String containerId,
    String secret,
    int port,
    String target,
    String prefix,
    boolean valid,
    boolean missingSlash) {

  /** How the preview was addressed. */
  public enum Form {
    /** {@code {port}-{id}-{secret}.{domain}}: the app sees every path. */
    HOST,
    /** {@code /preview/{id}-{secret}/{port}/…} on the gateway's own host. */
    PATH
  }

  /** The path prefix of the path form. */
  public static final String PATH_PREFIX = "/preview/";

  static final Pattern CONTAINER_ID = Pattern.compile("c-[a-z0-9]{12}");
  private static final Pattern HOST_LABEL =
      Pattern.compile("([0-9]{1,5})-(c-[a-z0-9]{12})-([0-9a-f]{16})");
  private static final Pattern PATH_ID = Pattern.compile("(c-[a-z0-9]{12})-([0-9a-f]{16})");
  private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

  /**
   * Reads a request's preview address.
   *
   * @param host the {@code Host} header (may carry any port), or {@code null}
   * @param rawPath the request path, not decoded ({@code HttpServletRequest.getRequestURI()})
   * @param query the raw query string, or {@code null}
   * @param domain the preview domain ({@code CMS_PREVIEW_DOMAIN}, e.g. {@code localhost})
   * @return empty when the request is not for a preview (it is the gateway's own)
   */
  public static Optional<PreviewAddress> parse(
      String host, String rawPath, String query, String domain) {
    String path = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
    String label = hostLabel(host, domain);
    if (label != null) {
      String target = path + (query == null ? "" : "?" + query);
      Matcher m = HOST_LABEL.matcher(label);
      if (m.matches()) {
        int port = Integer.parseInt(m.group(1));
        if (port >= 1 && port <= 65535) {
          return Optional.of(
              new PreviewAddress(Form.HOST, m.group(2), m.group(3), port, target, "", true, false));
        }
      }
      // a subdomain of the preview domain starting like a preview is always a preview
      if (label.matches("[0-9]+-.*")) {
        return Optional.of(invalid(Form.HOST, target));
      }
    }
    if (!path.startsWith(PATH_PREFIX)) {
      return Optional.empty();
    }
    String rest = path.substring(PATH_PREFIX.length());
    int slash = rest.indexOf('/');
    if (slash < 0) {
      return Optional.of(invalid(Form.PATH, "/"));
    }
    String idAndSecret = rest.substring(0, slash);
    String afterId = rest.substring(slash + 1);
    int slash2 = afterId.indexOf('/');
    String portText = slash2 < 0 ? afterId : afterId.substring(0, slash2);
    String appPath = slash2 < 0 ? "/" : afterId.substring(slash2);
    Matcher m = PATH_ID.matcher(idAndSecret);
    if (!m.matches() || !PORT.matcher(portText).matches()) {
      return Optional.of(invalid(Form.PATH, "/"));
    }
    int port = Integer.parseInt(portText);
    if (port < 1 || port > 65535) {
      return Optional.of(invalid(Form.PATH, "/"));
    }
    String prefix = PATH_PREFIX + idAndSecret + "/" + portText;
    return Optional.of(
        new PreviewAddress(
            Form.PATH,
            m.group(1),
            m.group(2),
            port,
            appPath + (query == null ? "" : "?" + query),
            prefix,
            true,
            slash2 < 0));
  }

  /**
   * The left-most label of {@code host} when it is exactly one label under {@code domain}, lower
   * case; else {@code null}.
   */
  static String hostLabel(String host, String domain) {
    if (host == null || host.isEmpty() || host.startsWith("[")) {
      return null;
    }
    String h = host.toLowerCase(Locale.ROOT);
    int colon = h.lastIndexOf(':');
    if (colon >= 0) {
      h = h.substring(0, colon);
    }
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    String suffix = "." + domain.toLowerCase(Locale.ROOT);
    if (!h.endsWith(suffix) || h.length() == suffix.length()) {
      return null;
    }
    String label = h.substring(0, h.length() - suffix.length());
    return label.indexOf('.') >= 0 ? null : label;
  }

  private static PreviewAddress invalid(Form form, String target) {
    return new PreviewAddress(form, null, null, 0, target, "", false, false);
  }

  /** The {@code Location} the app sent, as the client must see it. */
  public String rewriteLocation(String location) {
    if (form == Form.PATH
        && location != null
        && location.startsWith("/")
        && !location.startsWith("//")) {
      return prefix + location;
    }
    return location;
  }
}
