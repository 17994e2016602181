package dev.cms.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProblemMapperTest {

  @Test
  void aRefusedBodysViolationsAreReadFieldByField() {
    CmsApiException e =
        ProblemMapper.fromBody(
            400,
            """
            {"type":"about:blank","title":"Bad Request","status":400,
             "detail":"memoryMb must be at least 64; labels[-x] must be a name",
             "violations":[{"field":"memoryMb","message":"must be at least 64"},
                           {"field":"labels[-x]","message":"must be a name"}]}
            """);
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.violations())
        .containsExactly(
            new CmsApiException.Violation("memoryMb", "must be at least 64"),
            new CmsApiException.Violation("labels[-x]", "must be a name"));
    assertThat(e.detail()).contains("memoryMb");
  }

  @Test
  void aProblemWithoutViolationsHasNone() {
    CmsApiException e =
        ProblemMapper.fromBody(
            404, "{\"status\":404,\"detail\":\"no such\",\"rule\":\"not-found\"}");
    assertThat(e.violations()).isEmpty();
    assertThat(e.rule()).isEqualTo("not-found");
  }
}
