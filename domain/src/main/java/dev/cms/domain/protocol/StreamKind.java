package dev.cms.domain.protocol;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every kind of stream the gateway opens on an agent, with its name on the wire (the {@code kind}
 * of {@link Frame.Open}). Both sides name kinds only through this enum; an agent refuses a name it
 * does not know ({@link #of} empty) with {@link ErrorCode#UNKNOWN_KIND}. The parameters and results
 * of each kind are described in {@code docs/PROTOCOL.md}.
 */
public enum StreamKind {
  /** Echoes its data back (link tests). */
  ECHO("echo"),
  /** Attaches to (or creates) a terminal: {@code dev.cms.domain.terminal.TerminalWire}. */
  TERMINAL("terminal"),
  /** The agent's processes: {@code dev.cms.domain.process.ProcessWire}. */
  PROCESSES("processes"),
  /** Listening ports as they open and close. */
  PORTS("ports"),
  /** Runs one command without a terminal: {@code dev.cms.domain.exec.ExecWire}. */
  EXEC("exec"),
  /** Hands a claimed warm-pool container its environment: {@code dev.cms.domain.env.EnvWire}. */
  ENV("env"),
  /** A TCP connection to a port inside the container (preview). */
  TCP("tcp"),
  /** Upload one file: {@code dev.cms.domain.files.Transfer.FileWrite}. */
  FILE_WRITE("file-write"),
  /**
   * Upload a zip, unpacked all or nothing: {@code dev.cms.domain.files.Transfer.ArchiveExtract}.
   */
  ARCHIVE_EXTRACT("archive-extract"),
  /** Download one file: {@code dev.cms.domain.files.Transfer.FileRead}. */
  FILE_READ("file-read"),
  /** Download a directory as a zip: {@code dev.cms.domain.files.Transfer.ArchiveCreate}. */
  ARCHIVE_CREATE("archive-create"),
  /** List a directory ({@code dev.cms.domain.files.FsWire}). */
  FILE_LIST("file-list"),
  /** Stat one path. */
  FILE_STAT("file-stat"),
  /** Delete a path. */
  FILE_DELETE("file-delete"),
  /** Rename a path. */
  FILE_MOVE("file-move"),
  /** Make a directory. */
  FILE_MKDIR("file-mkdir"),
  /** Watch a directory for changes. */
  FILE_WATCH("file-watch");

  private static final Map<String, StreamKind> BY_WIRE =
      Stream.of(values())
          .collect(Collectors.toUnmodifiableMap(StreamKind::wire, Function.identity()));

  private final String wire;

  StreamKind(String wire) {
    this.wire = wire;
  }

  /** The kind's name in {@link Frame.Open}, e.g. {@code file-write}. */
  public String wire() {
    return wire;
  }

  /** The kind of a wire name, empty for a name this build does not know. */
  public static Optional<StreamKind> of(String wire) {
    return Optional.ofNullable(wire == null ? null : BY_WIRE.get(wire));
  }

  @Override
  public String toString() {
    return wire;
  }
}
