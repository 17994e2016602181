package dev.cms.gateway.config;

import java.util.ArrayList;
import java.util.List;

/** A host address and port containers may reach besides the agent listener. */
public record HostPort(String host, int port) {
  /** Parses {@code host:port,host:port}; blank gives none. */
  public static List<HostPort> parseList(String spec) {
    List<HostPort> out = new ArrayList<>();
    if (spec == null || spec.isBlank()) {
      return out;
    }
    for (String item : spec.split(",")) {
      String s = item.strip();
      int colon = s.lastIndexOf(':');
      if (colon <= 0 || colon == s.length() - 1) {
        throw new IllegalArgumentException(
            "CMS_CONTAINER_HOST_ALLOW entries are host:port, not '" + s + "'");
      }
      String host = s.substring(0, colon);
      if (!host.matches("[0-9.]+(/[0-9]{1,2})?")) {
        throw new IllegalArgumentException(
            "CMS_CONTAINER_HOST_ALLOW hosts are IPv4 addresses of the host, not '" + host + "'");
      }
      int port;
      try {
        port = Integer.parseInt(s.substring(colon + 1));
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("CMS_CONTAINER_HOST_ALLOW: bad port in '" + s + "'");
      }
      out.add(new HostPort(host, port));
    }
    return out;
  }
}
