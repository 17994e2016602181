/**
 * Failures as {@code application/problem+json}: {@code ApiException} carries a status and a message
 * for the client, {@code ProblemMapper} (with {@code ViolationMapper} for Bean Validation) is the
 * one place where anything thrown becomes a problem; a refused request body lists its fields as
 * {@code violations}. {@code JsonBodyReader} binds the request records with JSON-B and refuses
 * malformed JSON or a field of the wrong type. Depends on no other component.
 */
package dev.cms.gateway.problems;
