package dev.cms.console;

import java.io.Serializable;

/**
 * One listening port of the attached container as the Ports panel shows it, with the preview URL
 * the gateway gave for it (host form, for a new tab) and the one the page's preview pane loads.
 */
public class PortRow implements Serializable {

  private static final long serialVersionUID = 1L;

  private final int port;
  private final String url;
  private final String pathUrl;

  public PortRow(int port, String url, String pathUrl) {
    this.port = port;
    this.url = url;
    this.pathUrl = pathUrl;
  }

  public int getPort() {
    return port;
  }

  public String getUrl() {
    return url;
  }

  public String getPathUrl() {
    return pathUrl;
  }
}
