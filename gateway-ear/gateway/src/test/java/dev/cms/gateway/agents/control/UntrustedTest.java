package dev.cms.gateway.agents.control;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UntrustedTest {

  @Test
  void controlCharactersAreEscapedSoNoLineCanBeForged() {
    assertThat(Untrusted.quote("c-1\nSEVERE: forged\u001b[31m\u202e"))
        .isEqualTo("\"c-1\\u000aSEVERE: forged\\u001b[31m\\u202e\"");
  }

  @Test
  void longFieldsAreCutAndTheirLengthShown() {
    String q = Untrusted.quote("x".repeat(10_000));
    assertThat(q).startsWith("\"" + "x".repeat(64) + "\"…(10000 chars)");
    assertThat(q.length()).isLessThan(90);
  }

  @Test
  void plainTextStaysReadable() {
    assertThat(Untrusted.quote("0.1.0-SNAPSHOT")).isEqualTo("\"0.1.0-SNAPSHOT\"");
    assertThat(Untrusted.quote(null)).isEqualTo("null");
  }
}
