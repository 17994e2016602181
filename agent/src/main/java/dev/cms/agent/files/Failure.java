package dev.cms.agent.files;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NotDirectoryException;

/**
 * A file operation broke one of the rules: {@link #rule()} is the kebab-case rule name sent to the
 * gateway ({@code error <rule> <message>} on an upload, {@code <rule>: <message>} in an OPEN_FAIL).
 */
final class Failure extends Exception {
  private static final long serialVersionUID = 1L;

  static final String BAD_PATH = "bad-path";
  static final String BAD_PARAM = "bad-param";
  static final String NOT_FOUND = "not-found";
  static final String PERMISSION_DENIED = "permission-denied";
  static final String NOT_A_DIRECTORY = "not-a-directory";
  static final String IS_A_DIRECTORY = "is-a-directory";
  static final String SPECIAL_FILE = "special-file";
  static final String TOO_LARGE = "too-large";
  static final String TOO_MANY_ENTRIES = "too-many-entries";
  static final String UNPACKED_TOO_LARGE = "unpacked-too-large";
  static final String COMPRESSION_RATIO = "compression-ratio";
  static final String ABSOLUTE_ENTRY = "absolute-entry";
  static final String DOTDOT_ENTRY = "dotdot-entry";
  static final String BACKSLASH_ENTRY = "backslash-entry";
  static final String BAD_ENTRY = "bad-entry";
  static final String SYMLINK_ENTRY = "symlink-entry";
  static final String SPECIAL_ENTRY = "special-entry";
  static final String DUPLICATE_ENTRY = "duplicate-entry";
  static final String CORRUPT_ZIP = "corrupt-zip";
  static final String NO_SPACE = "no-space";
  static final String IO_ERROR = "io-error";
  static final String ALREADY_EXISTS = "already-exists";
  static final String NOT_EMPTY = "not-empty";
  static final String CROSS_DEVICE = "cross-device";
  static final String TOO_MANY_WATCHES = "too-many-watches";

  private final String rule;

  Failure(String rule, String message) {
    super(message);
    this.rule = rule;
  }

  Failure(String rule, String message, Throwable cause) {
    super(message, cause);
    this.rule = rule;
  }

  String rule() {
    return rule;
  }

  /** The message on one line (no CR or LF), as it goes on the wire. */
  String oneLine() {
    return String.valueOf(getMessage()).replace('\r', ' ').replace('\n', ' ');
  }

  /**
   * Maps a failed file-system call to a rule: {@link AccessDeniedException} and a read-only file
   * system to {@code permission-denied}, ENOTDIR to {@code not-a-directory}, EISDIR to {@code
   * is-a-directory}, a full file system or quota (ENOSPC, EDQUOT; a plain {@link IOException} from
   * a write) to {@code no-space}, anything else to {@code io-error}.
   */
  static Failure of(IOException e, String what) {
    String reason = e instanceof FileSystemException f ? String.valueOf(f.getReason()) : "";
    String detail = what + ": " + describe(e);
    String text = reason + " " + e.getMessage();
    if (text.contains("No space left on device") || text.contains("Disk quota exceeded")) {
      return new Failure(NO_SPACE, detail, e);
    }
    if (e instanceof AccessDeniedException || reason.contains("Read-only file system")) {
      return new Failure(PERMISSION_DENIED, detail, e);
    }
    if (e instanceof NotDirectoryException || reason.contains("Not a directory")) {
      return new Failure(NOT_A_DIRECTORY, detail, e);
    }
    if (reason.contains("Is a directory")) {
      return new Failure(IS_A_DIRECTORY, detail, e);
    }
    return new Failure(IO_ERROR, detail, e);
  }

  /** The message for an unexpected throwable in a stream's work, on one line. */
  static String agentFailed(Throwable e) {
    String text =
        e instanceof OutOfMemoryError
            ? "the agent ran out of memory (" + e + "); nothing of this request was kept"
            : "agent failed: " + e;
    return text.replace('\n', ' ').replace('\r', ' ');
  }

  private static String describe(IOException e) {
    if (e instanceof FileSystemException f) {
      String r = f.getReason();
      String kind = e.getClass().getSimpleName().replace("Exception", "");
      return r == null ? kind + " " + f.getFile() : r + " (" + f.getFile() + ")";
    }
    return String.valueOf(e.getMessage());
  }
}
