package dev.cms.gateway.preview.control;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Preview secrets, one per (container, port): {@code secret = first 16 hex digits of
 * HMAC-SHA256(key, containerId + "/" + port)}, with one random 32-byte key kept in a file ({@link
 * dev.cms.gateway.security.KeyFiles}). Nothing per container is stored, and the secret of one port
 * tells nothing about another port's (a URL for port 3000 does not open a {@code node --inspect}
 * port) or another container's.
 */
public final class PreviewKeys {

  /** Hex digits of a secret. */
  public static final int SECRET_LENGTH = 16;

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
}
