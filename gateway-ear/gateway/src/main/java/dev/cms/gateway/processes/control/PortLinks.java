package dev.cms.gateway.processes.control;

/**
 * The addresses at which a browser opens a container's port, shown beside the process or port that
 * listens there. The {@code preview} component provides them ({@code PreviewUrls}): processes know
 * nothing of how a preview is served, and the preview may ask processes about a port's process.
 */
public interface PortLinks {

  /** The host-form URL of a port ({@code {port}-{id}-{secret}.{domain}}). */
  String hostUrl(String containerId, int port, String requestHost);

  /** The path-form URL of a port ({@code {base}/preview/{id}-{secret}/{port}/}). */
  String pathUrl(String containerId, int port, String requestHost);
}
