/**
 * Failures as {@code application/problem+json}: {@code ApiException} carries a status and a message
 * for the client, {@code ProblemMapper} is the one place where anything thrown becomes a problem.
 * Depends on no other component.
 */
package dev.cms.gateway.problems;
