package dev.cms.agent.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import org.junit.jupiter.api.Test;

class FailureTest {

  @Test
  void aFullFileSystemIsNoSpaceWhetherTheWriteOrTheFileSystemSaysSo() {
    // FileChannel.write reports ENOSPC as a plain IOException
    assertThat(Failure.of(new IOException("No space left on device"), "write").rule())
        .isEqualTo(Failure.NO_SPACE);
    assertThat(
            Failure.of(new FileSystemException("/app/x", null, "No space left on device"), "mkdir")
                .rule())
        .isEqualTo(Failure.NO_SPACE);
    assertThat(Failure.of(new IOException("Disk quota exceeded"), "write").rule())
        .isEqualTo(Failure.NO_SPACE);
  }

  @Test
  void otherFailuresKeepTheirRules() {
    assertThat(Failure.of(new AccessDeniedException("/etc/x"), "open").rule())
        .isEqualTo(Failure.PERMISSION_DENIED);
    assertThat(Failure.of(new IOException("Input/output error"), "write").rule())
        .isEqualTo(Failure.IO_ERROR);
  }
}
