package dev.cms.domain.files;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Why the data plane refused or failed a file operation or an upload: the rule names the agent
 * sends in its {@code error <rule> <message>} results and stream refusals, and the few the gateway
 * adds itself. Each rule carries the HTTP status the REST doors answer with, so there is one table
 * of them. A name not listed here (a newer or hostile agent) is {@link #of unknown} and maps to
 * {@link #REFUSED}.
 */
public enum Rule {
  // path and parameter rules
  BAD_PATH(400),
  BAD_PARAM(400),
  NOT_FOUND(404),
  PERMISSION_DENIED(403),
  NOT_A_DIRECTORY(400),
  IS_A_DIRECTORY(400),
  SPECIAL_FILE(400),
  ALREADY_EXISTS(409),
  NOT_EMPTY(409),
  CROSS_DEVICE(400),
  // size and archive rules
  TOO_LARGE(413),
  NO_SPACE(413),
  TOO_MANY_ENTRIES(400),
  UNPACKED_TOO_LARGE(400),
  COMPRESSION_RATIO(400),
  ABSOLUTE_ENTRY(400),
  DOTDOT_ENTRY(400),
  BACKSLASH_ENTRY(400),
  BAD_ENTRY(400),
  SYMLINK_ENTRY(400),
  SPECIAL_ENTRY(400),
  DUPLICATE_ENTRY(400),
  CORRUPT_ZIP(400),
  // capacity and failure
  TOO_MANY_WATCHES(409),
  TOO_MANY_STREAMS(429),
  TOO_MANY_UPLOADS(429),
  AGENT_UNAVAILABLE(503),
  ABORTED(400),
  IO_ERROR(500),
  /** Any other refusal (also what an unknown rule name becomes). */
  REFUSED(400);

  private static final Map<String, Rule> BY_WIRE =
      Stream.of(values()).collect(Collectors.toUnmodifiableMap(Rule::wire, Function.identity()));

  private final int httpStatus;
  private final String wire;

  Rule(int httpStatus) {
    this.httpStatus = httpStatus;
    this.wire = name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The rule's name on the wire, e.g. {@code too-many-entries}. */
  public String wire() {
    return wire;
  }

  /** The HTTP status a REST door answers this rule with. */
  public int httpStatus() {
    return httpStatus;
  }

  /** The rule of a wire name, if it is one. */
  public static Optional<Rule> of(String wire) {
    return Optional.ofNullable(wire == null ? null : BY_WIRE.get(wire));
  }

  /** The rule of a wire name, {@link #REFUSED} for anything else. */
  public static Rule orRefused(String wire) {
    return of(wire).orElse(REFUSED);
  }

  @Override
  public String toString() {
    return wire;
  }
}
