package dev.cms.gateway.problems;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One refused field of a request body: its JSON name (a map entry as {@code labels[key]}) and what
 * is wrong with it. A 400 problem lists them as {@code violations}.
 */
@Schema(name = "Violation", description = "One refused field of a request body")
public record Violation(
    @Schema(description = "the field's JSON name; a map entry as name[key]", example = "memoryMb")
        String field,
    @Schema(description = "what is wrong with it", example = "must be at least 64")
        String message) {

  /** {@code field message}, as the problem's detail lists them. */
  @Override
  public String toString() {
    return field + " " + message;
  }
}
