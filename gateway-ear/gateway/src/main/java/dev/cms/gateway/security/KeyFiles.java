package dev.cms.gateway.security;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * Random 32-byte keys kept in files under the data directory: the preview key and the client-token
 * key. Created once, owner-only, and the same for every gateway that shares the directory.
 */
public final class KeyFiles {

  /** Bytes of a key. */
  public static final int BYTES = 32;

  private static final SecureRandom RANDOM = new SecureRandom();

  private KeyFiles() {}

  /**
   * Reads the key from {@code file}, or creates it (32 random bytes, owner-only permissions where
   * the file system has them) when the file does not exist. Two gateways racing to create it end up
   * with the same key: the file is created atomically and the loser reads the winner's.
   *
   * @throws IOException when the file cannot be read or written, or does not hold 32 bytes
   */
  public static byte[] loadOrCreate(Path file) throws IOException {
    if (!Files.exists(file)) {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      byte[] key = new byte[BYTES];
      RANDOM.nextBytes(key);
      Path tmp = Files.createTempFile(dir, ".key", ".tmp");
      try {
        try {
          Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
          // not a POSIX file system
        }
        Files.write(tmp, key);
        try {
          Files.createLink(file, tmp); // atomic, fails when the file exists
        } catch (FileAlreadyExistsException e) {
          // another gateway was first: use its key
        } catch (UnsupportedOperationException | IOException e) {
          if (!Files.exists(file)) {
            try {
              Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException ex) {
              Files.move(tmp, file);
            }
          }
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    byte[] key = Files.readAllBytes(file);
    if (key.length != BYTES) {
      throw new IOException(file + " holds " + key.length + " bytes, not a " + BYTES + "-byte key");
    }
    return key;
  }
}
