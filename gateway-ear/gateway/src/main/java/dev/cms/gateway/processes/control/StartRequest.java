package dev.cms.gateway.processes.control;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What to run: a shell command line, in {@code cwd} (default {@code /app}), with extra {@code env};
 * {@code port} is the port the app will listen on (its preview URLs are returned). The constraints
 * are checked at the REST boundary ({@code @Valid}); {@link Processes} checks the same rules for
 * the client socket too.
 */
@Schema(
    name = "StartRequest",
    description = "Body of POST /api/v1/containers/{id}/processes",
    example = "{\"command\":\"npm install && npm run dev\",\"cwd\":\"/app\",\"port\":5173}")
public record StartRequest(
    @Schema(description = "a shell command line", required = true)
        @NotBlank(message = "is required")
        String command,
    @Schema(description = "an absolute working directory", defaultValue = "/app")
        @Pattern(regexp = "/.*", message = "must be an absolute path")
        String cwd,
    @Schema(description = "extra environment variables")
        Map<
                @Pattern(
                    regexp = "[A-Za-z_][A-Za-z0-9_]{0,127}",
                    message = "is not a valid variable name")
                String,
                @NotNull(message = "must be a string") String>
            env,
    @Schema(
            description = "the port the app listens on: its preview URLs are answered",
            minimum = "1",
            maximum = "65535")
        @Min(value = 1, message = "must be between 1 and 65535")
        @Max(value = 65535, message = "must be between 1 and 65535")
        Integer port) {
  /**
   * The canonical constructor, written out so that the components' constraints stay on the fields:
   * Payara's OpenAPI scanner takes a constrained constructor parameter for a path parameter and
   * fails the whole document.
   */
  public StartRequest(String command, String cwd, Map<String, String> env, Integer port) {
    this.command = command;
    this.cwd = cwd;
    this.env = env;
    this.port = port;
  }
}
