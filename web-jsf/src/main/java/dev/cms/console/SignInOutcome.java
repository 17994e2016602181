package dev.cms.console;

import jakarta.enterprise.context.RequestScoped;

/** Why the identity store refused a sign-in, for the sign-in page to say. */
@RequestScoped
public class SignInOutcome {

  private String message;

  void refuse(String message) {
    this.message = message;
  }

  String message() {
    return message;
  }
}
