package dev.cms.agent.files;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A zip of {@code n} empty entries named {@code a}, all pointing at one local header, with ZIP64
 * end records: the smallest a zip of millions of entries gets (47 bytes an entry), written as it
 * goes.
 */
final class ManyEntriesZip {
  static final int LOCAL = 31;
  static final int CENTRAL = 47;

  private ManyEntriesZip() {}

  static long size(long n) {
    return LOCAL + n * CENTRAL + 56 + 20 + 22;
  }

  /**
   * Writes the zip. {@code declared} is the count the end records claim (normally {@code n}); with
   * {@code zip64} false only the classic record is written, claiming {@code declared} (≤ 65535).
   */
  static void write(OutputStream out, long n, long declared, boolean zip64) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) 0);
    b.putShort((short) 0).putShort((short) 0x21).putInt(0).putInt(0).putInt(0);
    b.putShort((short) 1).putShort((short) 0).put((byte) 'a');
    for (long i = 0; i < n; i++) {
      if (b.remaining() < CENTRAL) {
        flush(out, b);
      }
      b.putInt(0x02014b50).putShort((short) 0x031e).putShort((short) 20).putShort((short) 0);
      b.putShort((short) 0).putShort((short) 0).putShort((short) 0x21);
      b.putInt(0).putInt(0).putInt(0);
      b.putShort((short) 1).putShort((short) 0).putShort((short) 0).putShort((short) 0);
      b.putShort((short) 0).putInt(0100644 << 16).putInt(0).put((byte) 'a');
    }
    flush(out, b);
    long cdSize = n * CENTRAL;
    long end = LOCAL + cdSize;
    if (zip64) {
      b.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45);
      b.putInt(0).putInt(0).putLong(declared).putLong(declared).putLong(cdSize).putLong(LOCAL);
      b.putInt(0x07064b50).putInt(0).putLong(end).putInt(1);
    }
    short classic = (short) (zip64 ? 0xffff : declared);
    b.putInt(0x06054b50).putShort((short) 0).putShort((short) 0);
    b.putShort(classic).putShort(classic);
    b.putInt((int) Math.min(cdSize, 0xffffffffL)).putInt(LOCAL).putShort((short) 0);
    flush(out, b);
  }

  private static void flush(OutputStream out, ByteBuffer b) throws IOException {
    out.write(b.array(), 0, b.position());
    b.clear();
  }
}
