package dev.cms.gateway.files.control;

import dev.cms.domain.files.Rule;
import dev.cms.domain.protocol.StreamRefusedException;
import dev.cms.gateway.problems.ApiException;
import jakarta.ws.rs.core.Response;

/**
 * The one mapping of a data-plane {@link Rule} to what the doors answer: a REST problem with the
 * rule's HTTP status ({@link Rule#httpStatus}, the only rule → status table) and the rule's wire
 * name in {@code rule}; the WebSocket door sends the same wire name in {@code upload-result}.
 */
public final class Refusals {
  private Refusals() {}

  /** A refusal as a problem with the status its rule has, naming the rule. */
  public static ApiException problem(Rule rule, String message) {
    int status = rule.httpStatus();
    String title =
        status == 413
            ? "Content Too Large"
            : Response.Status.fromStatusCode(status).getReasonPhrase();
    return new ApiException(status, title, "refused (" + rule.wire() + "): " + message, null)
        .withRule(rule.wire());
  }

  /**
   * A refusal with an agent's rule name, as a problem; a name that is not a rule becomes {@code
   * refused}.
   */
  public static ApiException problem(String rule, String message) {
    return problem(Rule.orRefused(rule), message);
  }

  /** An agent's OPEN_FAIL ({@code "<rule>: <message>"}) as a problem naming the rule. */
  public static ApiException problem(StreamRefusedException r) {
    return problem(rule(r), message(r));
  }

  /** The rule an agent's OPEN_FAIL names ({@code "<rule>: <message>"}), else {@code refused}. */
  public static Rule rule(StreamRefusedException r) {
    String msg = message(r);
    int colon = msg.indexOf(": ");
    return colon > 0 ? Rule.orRefused(msg.substring(0, colon)) : Rule.REFUSED;
  }

  private static String message(StreamRefusedException r) {
    return r.getMessage() == null ? "refused" : r.getMessage();
  }
}
