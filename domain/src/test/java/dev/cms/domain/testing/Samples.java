package dev.cms.domain.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** The golden samples under {@code /samples/v1/}: bytes written as hex, whitespace ignored. */
public final class Samples {

  private Samples() {}

  /** The bytes of {@code /samples/v1/<path>.hex}; fails the test when there is no such sample. */
  public static byte[] hex(String path) {
    try (InputStream in = Samples.class.getResourceAsStream("/samples/v1/" + path + ".hex")) {
      assertThat(in).as("sample " + path + ".hex").isNotNull();
      String hex = new String(in.readAllBytes(), StandardCharsets.US_ASCII).replaceAll("\\s", "");
      return HexFormat.of().parseHex(hex);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
