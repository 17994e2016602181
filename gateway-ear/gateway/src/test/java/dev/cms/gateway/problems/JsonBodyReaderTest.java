package dev.cms.gateway.problems;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.gateway.containers.control.CreateRequest;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonBodyReaderTest {

  final JsonBodyReader reader = new JsonBodyReader();

  @SuppressWarnings({"unchecked", "rawtypes"})
  Record read(String body) throws Exception {
    return reader.readFrom(
        (Class) CreateRequest.class,
        CreateRequest.class,
        new java.lang.annotation.Annotation[0],
        null,
        null,
        new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void readsTheGatewaysRecordsOnly() {
    assertThat(reader.isReadable(CreateRequest.class, CreateRequest.class, null, null)).isTrue();
    assertThat(reader.isReadable(String.class, String.class, null, null)).isFalse();
    assertThat(reader.isReadable(Violation.class, Violation.class, null, null)).isTrue();
    assertThat(reader.isReadable(java.util.Map.class, java.util.Map.class, null, null)).isFalse();
  }

  @Test
  void anEmptyBodyIsNullAndAnObjectIsBound() throws Exception {
    assertThat(read("")).isNull();
    assertThat(read(" \r\n\t")).isNull();
    CreateRequest r = (CreateRequest) read("{\"memoryMb\":512,\"labels\":{\"a\":\"b\"}}");
    assertThat(r.memoryMb()).isEqualTo(512);
    assertThat(r.labels()).containsEntry("a", "b");
  }

  @Test
  void aFieldOfTheWrongTypeIsAViolationNamingIt() {
    assertThatThrownBy(() -> read("{\"memoryMb\":\"lots\"}"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.violations())
                  .containsExactly(new Violation("memoryMb", "must be an integer"));
              assertThat(e.getMessage()).isEqualTo("memoryMb must be an integer");
            });
    assertThatThrownBy(() -> read("{\"cpus\":\"x\"}"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e ->
                assertThat(e.violations())
                    .containsExactly(new Violation("cpus", "must be a number")));
    assertThatThrownBy(() -> read("{\"labels\":{\"a\":{}}}"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e ->
                assertThat(e.violations())
                    .containsExactly(
                        new Violation("labels", "must be an object whose values are strings")));
    assertThatThrownBy(() -> read("{\"template\":{}}"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e ->
                assertThat(e.violations())
                    .containsExactly(new Violation("template", "must be a string")));
  }

  @Test
  void aNumberOutOfItsRangeOrNotWholeIsAViolationNotATruncation() {
    for (String body :
        List.of(
            "{\"memoryMb\":99999999999}",
            "{\"memoryMb\":4294967808}",
            "{\"memoryMb\":512.5}",
            "{\"ttlSeconds\":99999999999999999999}")) {
      assertThatThrownBy(() -> read(body))
          .as(body)
          .isInstanceOfSatisfying(
              ApiException.class,
              e -> {
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.violations()).hasSize(1);
                assertThat(e.violations().get(0).message()).isEqualTo("must be an integer");
              });
    }
  }

  @Test
  void aBodyOverTheLimitIs413AndIsNotReadToTheEnd() {
    String big = "{\"labels\":{\"a\":\"" + "x".repeat(JsonBodyReader.MAX_BODY) + "\"}}";
    assertThatThrownBy(() -> read(big))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(413));
  }

  @Test
  void malformedJsonIsA400WithTheParsersPlaceNotItsWords() {
    assertThatThrownBy(() -> read("{\"memoryMb\": "))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.violations()).isEmpty();
              assertThat(e.getMessage()).startsWith("malformed JSON body at line 1, column");
            });
    assertThatThrownBy(() -> read("[]"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> assertThat(e.getMessage()).doesNotContain("dev.cms").startsWith("malformed JSON"));
    // an array where a string belongs: Yasson names no property, the answer stays generic
    assertThatThrownBy(() -> read("{\"template\":[1]}"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> assertThat(e.getMessage()).doesNotContain("dev.cms").startsWith("malformed JSON"));
  }
}
