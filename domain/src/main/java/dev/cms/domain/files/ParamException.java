package dev.cms.domain.files;

import dev.cms.domain.protocol.ProtocolException;
import java.util.Objects;

/**
 * A stream's open parameters (or a result line) broke the data-plane contract: the {@link Rule} is
 * what the refusal names ({@link Rule#BAD_PARAM}, {@link Rule#BAD_PATH}); the message says which
 * parameter and why, with the offending value made printable and cut to 300 characters.
 */
public final class ParamException extends ProtocolException {
  private static final long serialVersionUID = 1L;

  private final Rule rule;

  public ParamException(Rule rule, String message) {
    super(message);
    this.rule = Objects.requireNonNull(rule, "rule");
  }

  /** The rule the parameter broke. */
  public Rule rule() {
    return rule;
  }
}
