package dev.cms.gateway.problems;

import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The shape of every error answer ({@code application/problem+json}, RFC 9457), for the OpenAPI
 * document; {@link Problem} writes it.
 */
@Schema(
    name = "Problem",
    description =
        "Every error answer (application/problem+json, RFC 9457). A refused request body lists"
            + " each field in violations.",
    example =
        "{\"type\":\"about:blank\",\"title\":\"Bad Request\",\"status\":400,"
            + "\"detail\":\"memoryMb must be at least 64\",\"instance\":\"/api/v1/containers\","
            + "\"violations\":[{\"field\":\"memoryMb\",\"message\":\"must be at least 64\"}]}")
public record ProblemDocument(
    @Schema(description = "always about:blank", example = "about:blank") String type,
    @Schema(description = "the HTTP reason phrase", example = "Bad Request") String title,
    @Schema(description = "the HTTP status", example = "400") int status,
    @Schema(description = "what went wrong, for a person") String detail,
    @Schema(description = "the request path") String instance,
    @Schema(
            description = "the broken rule, stable for programs (e.g. bad-path, unknown-template)",
            nullable = true)
        String rule,
    @Schema(
            description = "5xx only: names the gateway's log line that tells the internals",
            nullable = true)
        String correlationId,
    @Schema(description = "a refused request body: each field and its message", nullable = true)
        List<Violation> violations) {}
