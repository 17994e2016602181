package dev.cms.gateway.problems;

import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * Bean Validation's refusals of a request body ({@code @Valid}): a 400 problem listing each field
 * ({@code violations}). Its own mapper because Jersey's ValidationException mapper is closer to the
 * exception than {@link ProblemMapper}'s {@code Throwable}; the answer is built by {@link
 * ProblemMapper} all the same.
 */
@Provider
public class ViolationMapper implements ExceptionMapper<ConstraintViolationException> {

  @Context UriInfo uriInfo;

  @Override
  public Response toResponse(ConstraintViolationException e) {
    ProblemMapper problems = new ProblemMapper();
    problems.uriInfo = uriInfo;
    return problems.toResponse(e);
  }
}
