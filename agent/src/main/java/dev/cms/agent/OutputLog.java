package dev.cms.agent;

/**
 * A terminal's output: the last {@code capacity} bytes of everything the terminal wrote, addressed
 * by absolute byte offsets that start at 0 and only grow. The buffer grows on demand up to the
 * capacity, so a quiet terminal costs little memory. Not thread-safe: the owner locks.
 */
final class OutputLog {
  private static final int INITIAL = 64 * 1024;

  private final int capacity;
  private byte[] ring;
  private long end;
  private int size; // valid bytes, the last ones before end

  OutputLog(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.capacity = capacity;
    this.ring = new byte[Math.min(capacity, INITIAL)];
  }

  /** The oldest offset still held. */
  long firstOffset() {
    return end - size;
  }

  /** The offset just past the last byte appended. */
  long endOffset() {
    return end;
  }

  int capacity() {
    return capacity;
  }

  /** Appends bytes; the oldest bytes are dropped once the capacity is reached. */
  void append(byte[] b, int off, int len) {
    if (len <= 0) {
      return;
    }
    if ((long) size + len > ring.length && ring.length < capacity) {
      grow((int) Math.min(capacity, Math.max(2L * ring.length, (long) size + len)));
    }
    if (len > ring.length) {
      off += len - ring.length;
      end += len - ring.length;
      len = ring.length;
    }
    int pos = (int) (end % ring.length);
    int first = Math.min(len, ring.length - pos);
    System.arraycopy(b, off, ring, pos, first);
    System.arraycopy(b, off + first, ring, 0, len - first);
    end += len;
    size = (int) Math.min(ring.length, (long) size + len);
  }

  /**
   * Copies up to {@code max} bytes starting at {@code from}.
   *
   * @throws IllegalArgumentException when {@code from} is not within {@code [firstOffset,
   *     endOffset]}
   */
  byte[] read(long from, int max) {
    if (from < firstOffset() || from > end) {
      throw new IllegalArgumentException(
          "offset " + from + " outside [" + firstOffset() + ", " + end + "]");
    }
    int n = (int) Math.min(max, end - from);
    byte[] out = new byte[n];
    int pos = (int) (from % ring.length);
    int first = Math.min(n, ring.length - pos);
    System.arraycopy(ring, pos, out, 0, first);
    System.arraycopy(ring, 0, out, first, n - first);
    return out;
  }

  private void grow(int newLength) {
    long first = firstOffset();
    byte[] kept = read(first, size);
    ring = new byte[newLength];
    // re-lay the kept bytes at their offsets modulo the new length
    int pos = (int) (first % newLength);
    int head = Math.min(kept.length, newLength - pos);
    System.arraycopy(kept, 0, ring, pos, head);
    System.arraycopy(kept, head, ring, 0, kept.length - head);
  }
}
