package dev.cms.gateway.runtime;

/** The container engine cannot be reached. */
public class RuntimeUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RuntimeUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
