package dev.cms.agent.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.zip.Zip64Mode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ZipDirectoryTest {
  @TempDir Path tmp;

  @Test
  void aZipWithinTheLimitIsCountedAsCommonsCompressWritesIt() throws Exception {
    Path zip = tmp.resolve("ok.zip");
    try (ZipArchiveOutputStream z = new ZipArchiveOutputStream(zip)) {
      for (int i = 0; i < 1000; i++) {
        z.putArchiveEntry(new ZipArchiveEntry("d/f" + i + ".txt"));
        z.write(("file " + i).getBytes());
        z.closeArchiveEntry();
      }
    }

    assertThat(ZipDirectory.check(zip, 1000)).isEqualTo(1000);
    assertThat(rule(zip, 999)).isEqualTo(Failure.TOO_MANY_ENTRIES);
  }

  @Test
  void aZip64ArchiveOfMoreThan65535EntriesIsCounted() throws Exception {
    Path zip = tmp.resolve("zip64.zip");
    try (ZipArchiveOutputStream z = new ZipArchiveOutputStream(zip)) {
      z.setUseZip64(Zip64Mode.AsNeeded);
      for (int i = 0; i < 70_000; i++) {
        z.putArchiveEntry(new ZipArchiveEntry("e" + i));
        z.closeArchiveEntry();
      }
    }

    assertThat(ZipDirectory.check(zip, 70_000)).isEqualTo(70_000);
    assertThat(rule(zip, 50_000)).isEqualTo(Failure.TOO_MANY_ENTRIES);
  }

  @Test
  @Timeout(10)
  void fiveMillionDeclaredEntriesAreRefusedFromTheEndRecordsAlone() throws Exception {
    // given: the end records declare 5 million entries, the file holds only 10
    Path zip = tmp.resolve("declared.zip");
    try (OutputStream out = Files.newOutputStream(zip)) {
      ManyEntriesZip.write(out, 10, 5_000_000, true);
    }

    // when / then
    Failure f = catchThrowableOfType(Failure.class, () -> ZipDirectory.check(zip, 50_000));
    assertThat(f.rule()).isEqualTo(Failure.TOO_MANY_ENTRIES);
    assertThat(f.getMessage()).contains("declares 5000000 entries").contains("50000");
  }

  @Test
  @Timeout(20)
  void aCountThatLiesIsCaughtByCountingTheHeaders() throws Exception {
    // given: 60 000 headers, but the classic end record claims 10
    Path zip = tmp.resolve("lying.zip");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(zip))) {
      ManyEntriesZip.write(out, 60_000, 10, false);
    }

    Failure f = catchThrowableOfType(Failure.class, () -> ZipDirectory.check(zip, 50_000));
    assertThat(f.rule()).isEqualTo(Failure.TOO_MANY_ENTRIES);
    assertThat(f.getMessage()).contains("central directory");
  }

  @Test
  @Timeout(20)
  void fiveMillionRealEntriesAreCountedInConstantMemory() throws Exception {
    Path zip = tmp.resolve("many.zip");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(zip), 1 << 20)) {
      ManyEntriesZip.write(out, 5_000_000, 5_000_000, true);
    }
    assertThat(Files.size(zip)).isEqualTo(ManyEntriesZip.size(5_000_000)).isLessThan(256L << 20);

    assertThat(ZipDirectory.check(zip, 5_000_000)).isEqualTo(5_000_000);
  }

  @Test
  void whatIsNoZipIsCorrupt() throws Exception {
    Path text = tmp.resolve("text.zip");
    Files.writeString(text, "this is not a zip at all, just some text of some length");
    Path tiny = tmp.resolve("tiny.zip");
    Files.write(tiny, new byte[] {'P', 'K'});

    assertThat(rule(text, 10)).isEqualTo(Failure.CORRUPT_ZIP);
    assertThat(rule(tiny, 10)).isEqualTo(Failure.CORRUPT_ZIP);
  }

  private static String rule(Path zip, long max) throws IOException {
    Failure f = catchThrowableOfType(Failure.class, () -> ZipDirectory.check(zip, max));
    assertThat(f).as("refused").isNotNull();
    return f.rule();
  }
}
