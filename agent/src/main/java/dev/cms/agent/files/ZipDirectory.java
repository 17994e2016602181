package dev.cms.agent.files;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Bounds a zip's entry count before commons-compress parses it: {@code ZipFile} builds an object
 * per central-directory entry, so a zip of millions of tiny entries (256 MiB hold about 5 million)
 * would exhaust the agent's heap before any rule could be checked.
 *
 * <p>Two checks, both in constant memory: the counts the end-of-central-directory record declares
 * (the ZIP64 record's when its locator precedes it, as archives of more than 65535 entries need),
 * then the central-directory headers actually present from the declared start on, counted the way
 * {@code ZipFile} reads them (one header after the other while the signature matches), because a
 * declared count may lie.
 */
final class ZipDirectory {
  static final int EOCD_SIG = 0x06054b50;
  static final int ZIP64_LOCATOR_SIG = 0x07064b50;
  static final int ZIP64_EOCD_SIG = 0x06064b50;
  static final int CFH_SIG = 0x02014b50;
  static final int EOCD_SIZE = 22;
  static final int ZIP64_LOCATOR_SIZE = 20;
  static final int ZIP64_EOCD_SIZE = 56;
  static final int CFH_SIZE = 46;
  private static final int MAX_COMMENT = 0xffff;
  private static final int BUFFER = 1 << 20;

  private ZipDirectory() {}

  /**
   * Checks the entry count of the zip at {@code zip}.
   *
   * @return the number of central-directory headers found
   * @throws Failure {@code too-many-entries} above {@code maxEntries}; {@code corrupt-zip} when the
   *     end records are missing or point outside the file
   */
  static long check(Path zip, long maxEntries) throws Failure {
    try (FileChannel ch = FileChannel.open(zip, StandardOpenOption.READ)) {
      return check(ch, maxEntries);
    } catch (IOException e) {
      throw Failure.of(e, "cannot read the spooled upload");
    }
  }

  static long check(FileChannel ch, long maxEntries) throws Failure, IOException {
    long size = ch.size();
    if (size < EOCD_SIZE) {
      throw new Failure(Failure.CORRUPT_ZIP, "not a zip: " + size + " bytes are too few");
    }
    int tailLength = (int) Math.min(size, EOCD_SIZE + MAX_COMMENT + ZIP64_LOCATOR_SIZE);
    long tailStart = size - tailLength;
    ByteBuffer tail = read(ch, tailStart, tailLength);
    int eocd = -1;
    for (int p = tailLength - EOCD_SIZE; p >= 0; p--) {
      if (tail.getInt(p) == EOCD_SIG) {
        eocd = p;
        break;
      }
    }
    if (eocd < 0) {
      throw new Failure(
          Failure.CORRUPT_ZIP, "not a zip: no end-of-central-directory record was found");
    }
    long declared =
        Math.max(
            Short.toUnsignedLong(tail.getShort(eocd + 8)),
            Short.toUnsignedLong(tail.getShort(eocd + 10)));
    long cdStart = Integer.toUnsignedLong(tail.getInt(eocd + 16));
    int locator = eocd - ZIP64_LOCATOR_SIZE;
    if (locator >= 0 && tail.getInt(locator) == ZIP64_LOCATOR_SIG) {
      long at = tail.getLong(locator + 8);
      if (at < 0 || at > size - ZIP64_EOCD_SIZE) {
        throw new Failure(
            Failure.CORRUPT_ZIP, "the ZIP64 locator points outside the file (offset " + at + ")");
      }
      ByteBuffer z = read(ch, at, ZIP64_EOCD_SIZE);
      if (z.getInt(0) != ZIP64_EOCD_SIG) {
        throw new Failure(
            Failure.CORRUPT_ZIP, "no ZIP64 end-of-central-directory record at offset " + at);
      }
      declared = Math.max(unsigned(z.getLong(24)), unsigned(z.getLong(32)));
      cdStart = z.getLong(48);
    }
    if (declared > maxEntries) {
      throw tooMany("declares " + unsignedText(declared) + " entries", maxEntries);
    }
    if (cdStart < 0 || cdStart > size) {
      throw new Failure(
          Failure.CORRUPT_ZIP,
          "the central directory's offset " + unsignedText(cdStart) + " is outside the file");
    }
    return count(ch, cdStart, size, maxEntries);
  }

  /** Counts the central-directory headers from {@code start} on, stopping above {@code max}. */
  private static long count(FileChannel ch, long start, long size, long max)
      throws Failure, IOException {
    ByteBuffer buf = ByteBuffer.allocate(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
    buf.limit(0);
    long bufStart = start; // file offset of buf's position 0
    long pos = start;
    long n = 0;
    while (pos + CFH_SIZE <= size) {
      int at = (int) (pos - bufStart);
      if (at + CFH_SIZE > buf.limit()) {
        bufStart = pos;
        buf.clear();
        int want = (int) Math.min(BUFFER, size - pos);
        buf.limit(want);
        fill(ch, buf, pos);
        at = 0;
      }
      if (buf.getInt(at) != CFH_SIG) {
        break;
      }
      if (++n > max) {
        throw tooMany("holds " + n + " or more entries in its central directory", max);
      }
      int names =
          Short.toUnsignedInt(buf.getShort(at + 28))
              + Short.toUnsignedInt(buf.getShort(at + 30))
              + Short.toUnsignedInt(buf.getShort(at + 32));
      pos += CFH_SIZE + names;
    }
    return n;
  }

  private static Failure tooMany(String what, long max) {
    return new Failure(
        Failure.TOO_MANY_ENTRIES, "the archive " + what + ", more than maxEntries (" + max + ")");
  }

  private static long unsigned(long v) {
    return v < 0 ? Long.MAX_VALUE : v;
  }

  private static String unsignedText(long v) {
    return v == Long.MAX_VALUE ? "2^63 or more" : Long.toString(v);
  }

  private static ByteBuffer read(FileChannel ch, long at, int length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    fill(ch, b, at);
    return b;
  }

  private static void fill(FileChannel ch, ByteBuffer b, long at) throws IOException {
    long p = at;
    while (b.hasRemaining()) {
      int r = ch.read(b, p);
      if (r < 0) {
        throw new EOFException("the file ended at " + p);
      }
      p += r;
    }
    b.flip();
  }
}
