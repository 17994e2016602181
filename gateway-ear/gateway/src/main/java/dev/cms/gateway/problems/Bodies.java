package dev.cms.gateway.problems;

import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Validator;
import java.util.List;

/**
 * A request body's presence and Bean Validation constraints checked where the resource decides:
 * after its access check, so a caller without the right gets 403, not a list of the fields it got
 * wrong. A violation is the same 400 problem as {@code @Valid}'s ({@link ProblemMapper}); a missing
 * body is one too, a violation of field {@code body}.
 */
public final class Bodies {

  private Bodies() {}

  /**
   * Returns {@code body} when it meets its constraints.
   *
   * @throws ApiException 400 when there is no body ({@code shape} says what one looks like)
   * @throws ConstraintViolationException when a field breaks a constraint
   */
  public static <T> T valid(Validator validator, T body, String shape) {
    required(body, shape);
    var violations = validator.validate(body);
    if (!violations.isEmpty()) {
      throw new ConstraintViolationException(violations);
    }
    return body;
  }

  /**
   * Returns {@code body} when there is one (JSON-B reads an empty request body as null).
   *
   * @throws ApiException 400 listing field {@code body} when there is none ({@code shape} says what
   *     one looks like)
   */
  public static <T> T required(T body, String shape) {
    if (body == null) {
      throw ApiException.invalid(List.of(new Violation("body", "is required: " + shape)));
    }
    return body;
  }
}
