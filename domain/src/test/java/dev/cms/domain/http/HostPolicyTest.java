package dev.cms.domain.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class HostPolicyTest {

  static final HostPolicy DEFAULTS = HostPolicy.of(Optional.empty(), Optional.empty());

  @Test
  void loopbackNamesAreAnsweredOnlyOnTheListenersOwnPort() {
    assertThat(DEFAULTS.allows("localhost:8080", 8080, false)).isTrue();
    assertThat(DEFAULTS.allows("127.0.0.1:8080", 8080, false)).isTrue();
    assertThat(DEFAULTS.allows("127.1.2.3:8080", 8080, false)).isTrue();
    assertThat(DEFAULTS.allows("[::1]:8080", 8080, false)).isTrue();
    assertThat(DEFAULTS.allows("127.0.0.1:9999", 8080, false)).isFalse();
    assertThat(DEFAULTS.allows("localhost", 8080, false)).isFalse();
    assertThat(DEFAULTS.allows("localhost", 80, false)).isTrue();
  }

  @Test
  void foreignNamesAreRefused() {
    assertThat(DEFAULTS.allows("evil.example:8080", 8080, false)).isFalse();
    assertThat(DEFAULTS.allows("host.docker.internal:8080", 8080, false)).isFalse();
    assertThat(DEFAULTS.allows("10.0.0.5:8080", 8080, false)).isFalse();
    assertThat(DEFAULTS.allows(null, 8080, false)).isFalse();
    assertThat(DEFAULTS.allows("", 8080, false)).isFalse();
    assertThat(DEFAULTS.allows("localhost:99999", 8080, false)).isFalse();
    assertThat(DEFAULTS.allows("local host", 8080, false)).isFalse();
    assertThat(DEFAULTS.allows("127.0.0.1.evil.example:8080", 8080, false)).isFalse();
  }

  @Test
  void previewHostsAreNotAnsweredHereThePreviewListenerServesThem() {
    assertThat(DEFAULTS.allows("3000-c-abc-secret.localhost:8080", 8080, false)).isFalse();
    assertThat(DEFAULTS.allows("x.localhost", 8080, false)).isFalse();
  }

  @Test
  void thePublicHostAndTheAllowedHostsAreAnsweredOnAnyPort() {
    HostPolicy p =
        HostPolicy.of(
            Optional.of("https://cms.example.com"),
            Optional.of("cms.internal:8443, other.example"));
    assertThat(p.allows("cms.example.com", 8080, false)).isTrue();
    assertThat(p.allows("CMS.Example.com:443", 8080, false)).isTrue();
    assertThat(p.allows("cms.internal", 8080, false)).isTrue();
    assertThat(p.allows("other.example:8080", 8080, false)).isTrue();
    assertThat(p.allows("localhost:443", 8080, false)).isTrue();
    assertThat(p.allows("example.com", 8080, false)).isFalse();
  }

  @Test
  void malformedSettingsAreNamed() {
    assertThatThrownBy(() -> HostPolicy.of(Optional.of("not a url"), Optional.empty()))
        .hasMessageContaining("CMS_PUBLIC_URL");
    assertThatThrownBy(() -> HostPolicy.of(Optional.empty(), Optional.of("a b")))
        .hasMessageContaining("CMS_ALLOWED_HOSTS");
  }
}
