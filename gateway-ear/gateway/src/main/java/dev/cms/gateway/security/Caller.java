package dev.cms.gateway.security;

import jakarta.enterprise.context.RequestScoped;

/** The authenticated caller of the current API request, set by {@link ApiKeyFilter}. */
@RequestScoped
public class Caller {

  private String id;

  void authenticate(String id) {
    this.id = id;
  }

  /** The caller's key id; fails if the request was not authenticated (a programming error). */
  public String id() {
    if (id == null) {
      throw new IllegalStateException("request not authenticated");
    }
    return id;
  }
}
