package dev.cms.gateway.files.control;

/** The JSON bodies of the file operations. */
public final class FileRequests {
  private FileRequests() {}

  /**
   * Rename {@code from} to {@code to}; replace an existing {@code to} only with {@code overwrite}.
   */
  public record Move(String from, String to, Boolean overwrite) {}

  /**
   * Make directory {@code path}; with {@code parents}, its missing parents too (no error if it
   * exists).
   */
  public record Mkdir(String path, Boolean parents) {}

  /**
   * Watch directory {@code path} for changes; with {@code recursive}, the directories under it too.
   */
  public record Watch(String path, Boolean recursive) {}
}
