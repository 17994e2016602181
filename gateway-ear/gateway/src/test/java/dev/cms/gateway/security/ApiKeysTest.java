package dev.cms.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cms.gateway.testing.TestSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service keys: configured ones, or one generated into the data directory and kept. */
class ApiKeysTest {

  @TempDir Path data;

  private ApiKeys keys(Map<String, String> properties) {
    ApiKeys k = new ApiKeys();
    k.settings = TestSettings.of(properties);
    k.init();
    return k;
  }

  @Test
  void configuredKeysAreAcceptedEachWithItsOwnCallerIdAndNothingElseIs() {
    ApiKeys k =
        keys(Map.of("cms.api.keys", " one-key , other-key,,", "cms.data.dir", data.toString()));

    Optional<String> one = k.callerOf("one-key");
    Optional<String> other = k.callerOf("other-key");
    assertThat(one).isPresent();
    assertThat(other).isPresent();
    assertThat(one).isNotEqualTo(other);
    // the id names the key without being it
    assertThat(one.get()).doesNotContain("one-key");
    assertThat(k.callerOf("one-key")).isEqualTo(one);

    assertThat(k.callerOf("one-key ")).isEmpty();
    assertThat(k.callerOf("one")).isEmpty();
    assertThat(k.callerOf("")).isEmpty();
    assertThat(k.callerOf(null)).isEmpty();
    // configured keys write no key file
    assertThat(data.resolve("api-key")).doesNotExist();
  }

  @Test
  void withoutConfiguredKeysOneIsGeneratedStoredOwnerOnlyAndReusedAtTheNextStart()
      throws Exception {
    Map<String, String> props = Map.of("cms.api.keys", "", "cms.data.dir", data.toString());
    ApiKeys first = keys(props);

    Path file = data.resolve("api-key");
    assertThat(file).isRegularFile();
    String key = Files.readString(file).strip();
    assertThat(key).startsWith("cms_").hasSizeGreaterThan(30);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(first.callerOf(key)).isPresent();

    ApiKeys again = keys(props);
    assertThat(Files.readString(file).strip()).isEqualTo(key);
    assertThat(again.callerOf(key)).isEqualTo(first.callerOf(key));
    assertThat(again.callerOf("cms_something-else")).isEmpty();
  }
}
