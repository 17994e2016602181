package dev.cms.agent.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The path, entry-name and parameter rules, and the mapping of file-system errors. */
class FsTest {

  private static String pathRule(String raw) {
    return catchThrowableOfType(Failure.class, () -> Fs.checkPath("path", raw)).rule();
  }

  private static String entryRule(String name) {
    return catchThrowableOfType(Failure.class, () -> ArchiveExtract.key(name)).rule();
  }

  @Test
  void pathsMustBeAbsoluteAndPlain() throws Failure {
    assertThat(Fs.checkPath("path", "/app//src/./a.txt")).isEqualTo(Path.of("/app/src/a.txt"));
    assertThat(Fs.checkPath("path", "/app/..x/a..b")).isEqualTo(Path.of("/app/..x/a..b"));
    for (String bad :
        new String[] {"", "app/x", "./x", "/app/../etc", "/app/..", "/a\\b", "/a\0"}) {
      assertThat(pathRule(bad)).as(bad).isEqualTo("bad-path");
    }
    assertThat(pathRule(null)).isEqualTo("bad-path");
  }

  @Test
  void entryNamesAreNormalizedOrRefused() throws Failure {
    assertThat(ArchiveExtract.key("a/b/")).isEqualTo("a/b");
    assertThat(ArchiveExtract.key("./a//b/./c")).isEqualTo("a/b/c");
    assertThat(ArchiveExtract.key("..a/b..")).isEqualTo("..a/b..");
    assertThat(entryRule("../x")).isEqualTo("dotdot-entry");
    assertThat(entryRule("a/../../x")).isEqualTo("dotdot-entry");
    assertThat(entryRule("a/..")).isEqualTo("dotdot-entry");
    assertThat(entryRule("/etc/passwd")).isEqualTo("absolute-entry");
    assertThat(entryRule("a\\..\\x")).isEqualTo("backslash-entry");
    assertThat(entryRule("")).isEqualTo("bad-entry");
    assertThat(entryRule("a\0b")).isEqualTo("bad-entry");
    assertThat(entryRule("./")).isEqualTo("bad-entry");
  }

  @Test
  void parameters() throws Failure {
    assertThat(Fs.mode(Map.of("mode", "755"), "mode", 0644)).isEqualTo(0755);
    assertThat(Fs.mode(Map.of("mode", "0600"), "mode", 0644)).isEqualTo(0600);
    assertThat(Fs.mode(Map.of(), "mode", 0644)).isEqualTo(0644);
    for (String bad : new String[] {"1755", "8", "rwx", "", "-1", "07777"}) {
      assertThat(
              catchThrowableOfType(Failure.class, () -> Fs.mode(Map.of("mode", bad), "mode", 0644))
                  .rule())
          .as(bad)
          .isEqualTo("bad-param");
    }
    assertThat(Fs.decimal(Map.of("n", "123"), "n")).isEqualTo(123);
    assertThat(Fs.ratio(Map.of("r", "12.5"), "r")).isEqualTo(12.5);
    for (String bad : new String[] {"-1", "1e3", "0x10", " 1", "99999999999999999999"}) {
      assertThat(catchThrowableOfType(Failure.class, () -> Fs.decimal(Map.of("n", bad), "n")))
          .as(bad)
          .isNotNull();
    }
    assertThat(catchThrowableOfType(Failure.class, () -> Fs.decimal(Map.of(), "n")).rule())
        .isEqualTo("bad-param");
  }

  @Test
  void permissionsRoundTrip() {
    for (int mode : new int[] {0, 0644, 0755, 0777, 0501}) {
      assertThat(Fs.mode(Fs.permissions(mode))).isEqualTo(mode);
    }
  }

  @Test
  void fileSystemErrorsMapToRules() {
    assertThat(Failure.of(new AccessDeniedException("/x"), "w").rule())
        .isEqualTo("permission-denied");
    assertThat(Failure.of(new FileSystemException("/x", null, "Read-only file system"), "w").rule())
        .isEqualTo("permission-denied");
    assertThat(Failure.of(new NotDirectoryException("/x"), "w").rule())
        .isEqualTo("not-a-directory");
    assertThat(Failure.of(new FileSystemException("/x", null, "Not a directory"), "w").rule())
        .isEqualTo("not-a-directory");
    assertThat(Failure.of(new FileSystemException("/x", null, "Is a directory"), "w").rule())
        .isEqualTo("is-a-directory");
    assertThat(Failure.of(new FileSystemException("/x", null, "No space left on device"), "w"))
        .satisfies(f -> assertThat(f.rule()).isEqualTo("no-space"))
        .satisfies(f -> assertThat(f.oneLine()).contains("No space left"));
    // FileChannel.write reports ENOSPC as a plain IOException
    assertThat(Failure.of(new java.io.IOException("No space left on device"), "w").rule())
        .isEqualTo("no-space");
    assertThat(Failure.of(new java.io.IOException("Disk quota exceeded"), "w").rule())
        .isEqualTo("no-space");
    assertThat(Failure.of(new java.io.IOException("Input/output error"), "w").rule())
        .isEqualTo("io-error");
  }
}
