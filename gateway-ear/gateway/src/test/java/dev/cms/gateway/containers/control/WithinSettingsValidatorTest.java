package dev.cms.gateway.containers.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cms.gateway.problems.Violation;
import org.junit.jupiter.api.Test;

class WithinSettingsValidatorTest {

  static final WithinSettingsValidator.Maxima MAX =
      new WithinSettingsValidator.Maxima(8192, 4.0, 86_400, 604_800);

  static CreateRequest create(Integer memory, Double cpus, Long idle, Long ttl) {
    return new CreateRequest(memory, cpus, idle, ttl, null, null, null, null);
  }

  @Test
  void theMaximaThemselvesAndUnsetFieldsPass() {
    assertThat(WithinSettingsValidator.above(create(8192, 4.0, 86_400L, 604_800L), MAX)).isEmpty();
    assertThat(WithinSettingsValidator.above(CreateRequest.defaults(), MAX)).isEmpty();
  }

  @Test
  void eachFieldAboveItsMaximumIsAViolationOfItsOwn() {
    assertThat(WithinSettingsValidator.above(create(8193, 4.5, 86_401L, 604_801L), MAX))
        .containsExactly(
            new Violation("memoryMb", "must be at most 8192"),
            new Violation("cpus", "must be at most 4.0"),
            new Violation("idleTimeoutSeconds", "must be at most 86400"),
            new Violation("ttlSeconds", "must be at most 604800"));
  }

  @Test
  void notANumberAndInfinityAreRefusedCpus() {
    assertThat(WithinSettingsValidator.above(create(null, Double.NaN, null, null), MAX))
        .extracting(Violation::field)
        .containsExactly("cpus");
    assertThat(
            WithinSettingsValidator.above(create(null, Double.POSITIVE_INFINITY, null, null), MAX))
        .extracting(Violation::field)
        .containsExactly("cpus");
  }
}
