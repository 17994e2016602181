package dev.cms.gateway.runtime;

/**
 * The runtime cannot give a container a bounded disk here (for example: the gateway lacks the
 * rights or tools to make one, or the engine is remote). The container is not created.
 */
public class DiskLimitUnavailableException extends RuntimeUnavailableException {
  private static final long serialVersionUID = 1L;

  public DiskLimitUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
