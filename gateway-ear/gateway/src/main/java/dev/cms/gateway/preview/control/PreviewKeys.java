package dev.cms.gateway.preview.control;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Preview secrets, one per (container, port): {@code secret = first 16 hex digits of
 * HMAC-SHA256(key, containerId + "/" + port)}, with one random 32-byte key kept in a file. Nothing
 * per container is stored, and the secret of one port tells nothing about another port's (a URL for
 * port 3000 does not open a {@code node --inspect} port) or another container's.
 */
public final class PreviewKeys {

  /** Bytes of the key. */
  public static final int KEY_BYTES = 32;

  /** Hex digits of a secret. */
  public static final int SECRET_LENGTH = 16;

  private static final SecureRandom RANDOM = new SecureRandom();

  private PreviewKeys() {}

  /** The preview secret of a port of a container. */
  public static String secret(byte[] key, String containerId, int port) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] h =
          mac.doFinal((containerId + "/" + port).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h, 0, SECRET_LENGTH / 2);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /** Whether {@code presented} is the port's secret (compared in constant time). */
  public static boolean matches(byte[] key, String containerId, int port, String presented) {
    if (containerId == null || presented == null) {
      return false;
    }
    return MessageDigest.isEqual(
        secret(key, containerId, port).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
        presented.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

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
      byte[] key = new byte[KEY_BYTES];
      RANDOM.nextBytes(key);
      Path tmp = Files.createTempFile(dir, ".preview-key", ".tmp");
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
    if (key.length != KEY_BYTES) {
      throw new IOException(
          file + " holds " + key.length + " bytes, not a " + KEY_BYTES + "-byte preview key");
    }
    return key;
  }
}
