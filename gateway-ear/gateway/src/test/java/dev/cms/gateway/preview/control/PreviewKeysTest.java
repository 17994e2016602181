package dev.cms.gateway.preview.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.gateway.security.KeyFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreviewKeysTest {

  @TempDir Path dir;

  @Test
  void secretIsSixteenHexDigitsStablePerKeyIdAndPort() {
    byte[] key = new byte[32];
    key[0] = 1;
    String s = PreviewKeys.secret(key, "c-abcdefghjk23", 3000);
    assertThat(s).matches("[0-9a-f]{16}");
    assertThat(PreviewKeys.secret(key, "c-abcdefghjk23", 3000)).isEqualTo(s);
    assertThat(PreviewKeys.secret(key, "c-abcdefghjk24", 3000)).isNotEqualTo(s);
    assertThat(PreviewKeys.secret(key, "c-abcdefghjk23", 9229)).isNotEqualTo(s);
    byte[] other = key.clone();
    other[31] = 7;
    assertThat(PreviewKeys.secret(other, "c-abcdefghjk23", 3000)).isNotEqualTo(s);
  }

  @Test
  void secretIsTheHmacPrefix() throws Exception {
    // computed independently: python3 hmac.new(b"Jefe", b"c-abcdefghjk23/3000", sha256)
    assertThat(PreviewKeys.secret("Jefe".getBytes(), "c-abcdefghjk23", 3000))
        .isEqualTo("38e594bbe3867f77");
  }

  @Test
  void matchesOnlyTheExactSecret() {
    byte[] key = new byte[32];
    String id = "c-abcdefghjk23";
    String s = PreviewKeys.secret(key, id, 3000);
    assertThat(PreviewKeys.matches(key, id, 3000, s)).isTrue();
    assertThat(PreviewKeys.matches(key, id, 9229, s)).isFalse();
    assertThat(PreviewKeys.matches(key, id, 3000, s.toUpperCase())).isFalse();
    assertThat(PreviewKeys.matches(key, id, 3000, s.substring(1))).isFalse();
    assertThat(PreviewKeys.matches(key, id, 3000, s + "0")).isFalse();
    assertThat(PreviewKeys.matches(key, id, 3000, null)).isFalse();
    assertThat(PreviewKeys.matches(key, null, 3000, s)).isFalse();
    assertThat(PreviewKeys.matches(key, "c-abcdefghjk24", 3000, s)).isFalse();
  }

  @Test
  void keyIsCreatedOnceOwnerOnlyAndKept() throws IOException {
    Path file = dir.resolve("data/preview-key");
    byte[] first = KeyFiles.loadOrCreate(file);
    assertThat(first).hasSize(32);
    assertThat(Files.size(file)).isEqualTo(32);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(KeyFiles.loadOrCreate(file)).isEqualTo(first);
    assertThat(KeyFiles.loadOrCreate(dir.resolve("other-key"))).isNotEqualTo(first);
    try (var files = Files.list(file.getParent())) {
      assertThat(files).containsExactly(file); // no temporary file left behind
    }
  }

  @Test
  void aDamagedKeyFileIsAnError() throws IOException {
    Path file = dir.resolve("preview-key");
    Files.write(file, new byte[5]);
    assertThatThrownBy(() -> KeyFiles.loadOrCreate(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("5 bytes");
  }

  @Test
  void urls() {
    String id = "c-abcdefghjk23";
    String s = "0123456789abcdef";
    assertThat(PreviewUrls.hostUrl("localhost", s, id, 3000, "http", 8080))
        .isEqualTo("http://3000-c-abcdefghjk23-0123456789abcdef.localhost:8080/");
    assertThat(PreviewUrls.hostUrl("p.example.com", s, id, 5173, "https", 443))
        .isEqualTo("https://5173-c-abcdefghjk23-0123456789abcdef.p.example.com/");
    assertThat(PreviewUrls.hostUrl("localhost", s, id, 3000, "http", 80))
        .isEqualTo("http://3000-c-abcdefghjk23-0123456789abcdef.localhost/");
    assertThat(PreviewUrls.pathUrl("http://gw:8080/", s, id, 3000))
        .isEqualTo("http://gw:8080/preview/c-abcdefghjk23-0123456789abcdef/3000/");
    assertThat(PreviewUrls.pathUrl("http://gw:8080", s, id, 3000))
        .isEqualTo("http://gw:8080/preview/c-abcdefghjk23-0123456789abcdef/3000/");
    assertThatThrownBy(() -> PreviewUrls.pathUrl("http://gw", s, id, 0))
        .isInstanceOf(IllegalArgumentException.class);
    // every URL handed out parses back to the same preview
    PreviewAddress h =
        PreviewAddress.parse(
                "3000-c-abcdefghjk23-0123456789abcdef.localhost:8080", "/", null, "localhost")
            .orElseThrow();
    assertThat(h.valid()).isTrue();
    PreviewAddress p =
        PreviewAddress.parse(
                "gw:8080", "/preview/c-abcdefghjk23-0123456789abcdef/3000/", null, "localhost")
            .orElseThrow();
    assertThat(p.valid()).isTrue();
    assertThat(p.secret()).isEqualTo(s);
  }
}
