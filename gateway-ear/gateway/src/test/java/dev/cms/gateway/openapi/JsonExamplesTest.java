package dev.cms.gateway.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonExamplesTest {

  @Test
  void aJsonTextBecomesTheObjectItStandsFor() {
    Object example =
        JsonExamples.parsed(
            "{\"memoryMb\":512,\"cpus\":1.5,\"env\":{\"NODE_ENV\":\"development\"},"
                + "\"argv\":[\"a\",true,null]}");
    assertThat(example)
        .isEqualTo(
            Map.of(
                "memoryMb",
                BigInteger.valueOf(512),
                "cpus",
                new BigDecimal("1.5"),
                "env",
                Map.of("NODE_ENV", "development"),
                "argv",
                java.util.Arrays.asList("a", true, null)));
    assertThat(JsonExamples.parsed(" [1, 2] ")).isEqualTo(List.of(BigInteger.ONE, BigInteger.TWO));
  }

  @Test
  void otherExamplesStayAsTheyAre() {
    assertThat(JsonExamples.parsed("about:blank")).isEqualTo("about:blank");
    assertThat(JsonExamples.parsed("{not json}")).isEqualTo("{not json}");
    assertThat(JsonExamples.parsed(42)).isEqualTo(42);
    assertThat(JsonExamples.parsed(null)).isNull();
  }
}
