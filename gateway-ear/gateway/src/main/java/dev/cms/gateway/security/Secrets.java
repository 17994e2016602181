package dev.cms.gateway.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Random tokens and their one-way hashes; the gateway stores only hashes of tokens and secrets. */
public final class Secrets {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();
  private static final char[] ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();

  private Secrets() {}

  /** A random token of {@code length} letters and digits (about 5.95 bits each). */
  public static String token(int length) {
    return random(ALPHABET, length);
  }

  /** A random lower-case id of {@code length} characters, easy to read and type. */
  public static String id(int length) {
    return random(ID_ALPHABET, length);
  }

  private static String random(char[] alphabet, int length) {
    char[] out = new char[length];
    for (int i = 0; i < length; i++) {
      out[i] = alphabet[RANDOM.nextInt(alphabet.length)];
    }
    return new String(out);
  }

  /** Hex SHA-256 of a string. */
  public static String hash(String value) {
    return HexFormat.of().formatHex(sha256(value.getBytes(StandardCharsets.UTF_8)));
  }

  /** Whether {@code presented} hashes to {@code expectedHash}, in constant time. */
  public static boolean matches(String presented, String expectedHash) {
    if (presented == null || expectedHash == null) {
      return false;
    }
    return MessageDigest.isEqual(
        hash(presented).getBytes(StandardCharsets.US_ASCII),
        expectedHash.getBytes(StandardCharsets.US_ASCII));
  }

  static String idOf(byte[] key) {
    return HexFormat.of().formatHex(sha256(key)).substring(0, 16);
  }

  private static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
