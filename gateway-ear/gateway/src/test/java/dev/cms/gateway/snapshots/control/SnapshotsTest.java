package dev.cms.gateway.snapshots.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.gateway.problems.ApiException;
import org.junit.jupiter.api.Test;

class SnapshotsTest {

  @Test
  void aSnapshotMayTakeAContainersDiskAndALittleForTheTarHeaders() {
    assertThat(Snapshots.maxBytes(256)).isEqualTo(256L * 1024 * 1024 + 16L * 1024 * 1024);
    assertThat(Snapshots.maxBytes(0)).isEqualTo(Snapshots.MAX_WITHOUT_DISK);
  }

  @Test
  void aNameIsOptionalStrippedAndBounded() {
    assertThat(Snapshots.checkName(null)).isNull();
    assertThat(Snapshots.checkName("  ")).isNull();
    assertThat(Snapshots.checkName(" before npm install ")).isEqualTo("before npm install");
    assertThat(Snapshots.checkName("n".repeat(100))).hasSize(100);
    assertThatThrownBy(() -> Snapshots.checkName("n".repeat(101)))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("at most 100");
    assertThatThrownBy(() -> Snapshots.checkName("a\u0000b")).isInstanceOf(ApiException.class);
  }

  @Test
  void theContainersOwnSecretsAreNotKeptInTheImage() {
    assertThat(Snapshots.CONTAINER_ENV).contains("CMS_AGENT_SECRET", "CMS_CONTAINER_ID");
  }
}
