package dev.cms.domain.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 for the binary wire formats: malformed input is refused, never replaced. */
public final class Utf8 {

  private Utf8() {}

  /**
   * Decodes all of {@code bytes}' remaining bytes.
   *
   * @throws ProtocolException with {@code whenInvalid} when they are not valid UTF-8
   */
  public static String decode(ByteBuffer bytes, String whenInvalid) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes)
          .toString();
    } catch (CharacterCodingException e) {
      throw new ProtocolException(whenInvalid);
    }
  }
}
