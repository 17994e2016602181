package dev.cms.gateway.commands.control;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A command to run and wait for: a shell command line, in {@code cwd} (default {@code /app}), with
 * extra {@code env}, at most {@code timeoutSeconds} (default 60, at most 600), given {@code stdin}
 * (text, at most 1 MiB). The constraints are checked at the REST boundary ({@code @Valid}); {@link
 * Commands} checks the same rules for every door.
 */
@Schema(
    name = "ExecRequest",
    description = "Body of POST /api/v1/containers/{id}/exec",
    example = "{\"command\":\"node --version\",\"cwd\":\"/app\",\"timeoutSeconds\":30}")
public record ExecRequest(
    @Schema(description = "a shell command line, run as node", required = true, maxLength = 65536)
        @NotBlank(message = "is required")
        @Size(max = Commands.MAX_COMMAND, message = "must be at most 65536 characters")
        String command,
    @Schema(description = "an absolute working directory", defaultValue = "/app")
        @Pattern(regexp = "/.*", message = "must be an absolute path")
        String cwd,
    @Schema(description = "extra environment variables; names not CMS_…")
        Map<
                @Pattern(
                    regexp = "[A-Za-z_][A-Za-z0-9_]{0,127}",
                    message = "is not a valid variable name")
                @Pattern(regexp = "(?!CMS_).*", message = "is not allowed (CMS_ prefix)") String,
                @NotNull(message = "must be a string") String>
            env,
    @Schema(
            description = "seconds before it is killed",
            defaultValue = "60",
            minimum = "1",
            maximum = "600")
        @Min(value = 1, message = "must be between 1 and 600")
        @Max(value = Commands.MAX_TIMEOUT_S, message = "must be between 1 and 600")
        Integer timeoutSeconds,
    @Schema(description = "text given as standard input, at most 1 MiB (UTF-8)") String stdin) {
  /**
   * The canonical constructor, written out so that the components' constraints stay on the fields:
   * Payara's OpenAPI scanner takes a constrained constructor parameter for a path parameter and
   * fails the whole document.
   */
  public ExecRequest(
      String command, String cwd, Map<String, String> env, Integer timeoutSeconds, String stdin) {
    this.command = command;
    this.cwd = cwd;
    this.env = env;
    this.timeoutSeconds = timeoutSeconds;
    this.stdin = stdin;
  }
}
