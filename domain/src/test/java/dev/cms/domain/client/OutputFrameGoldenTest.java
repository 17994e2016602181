package dev.cms.domain.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Pins the binary output frame of version 1: {@code samples/v1/client/output.hex} decodes to the
 * frame built here and encodes back to the very same bytes. (The JSON samples beside it in the
 * protocol are pinned by the gateway's codec tests.)
 */
class OutputFrameGoldenTest {

  static final String DIR = "/samples/v1/client/";

  static final OutputFrame OUTPUT =
      new OutputFrame(
          "main",
          1234,
          new byte[] {
            'h', (byte) 0xc3, (byte) 0xa9, 'l', 'l', 'o', '\r', '\n', (byte) 0xe2, (byte) 0x9c
          });

  static byte[] resource(String file) {
    try (InputStream in = OutputFrameGoldenTest.class.getResourceAsStream(DIR + file)) {
      assertThat(in).as("sample " + file).isNotNull();
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void outputSampleDecodesToTheFrameAndEncodesBackToTheSameBytes() {
    String hex =
        new String(resource("output.hex"), StandardCharsets.US_ASCII).replaceAll("\\s", "");
    byte[] bytes = HexFormat.of().parseHex(hex);

    OutputFrame decoded = OutputFrame.decode(ByteBuffer.wrap(bytes));

    assertThat(decoded).isEqualTo(OUTPUT);
    assertThat(decoded.endOffset()).isEqualTo(1244);
    ByteBuffer encoded = decoded.encode();
    byte[] out = new byte[encoded.remaining()];
    encoded.get(out);
    assertThat(HexFormat.of().formatHex(out)).isEqualTo(hex);
    assertThat(resource("output.txt")).isNotEmpty();
  }
}
