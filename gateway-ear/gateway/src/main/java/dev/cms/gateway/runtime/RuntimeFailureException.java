package dev.cms.gateway.runtime;

/** The container engine refused or failed an operation. */
public class RuntimeFailureException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RuntimeFailureException(String message, Throwable cause) {
    super(message, cause);
  }
}
