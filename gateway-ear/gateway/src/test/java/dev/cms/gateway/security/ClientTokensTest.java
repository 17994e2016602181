package dev.cms.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.gateway.testing.TestSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-container client tokens and the key files behind them. */
class ClientTokensTest {

  @TempDir Path data;

  private ClientTokens tokens() {
    ClientTokens t = new ClientTokens();
    t.settings = TestSettings.of(Map.of("cms.data.dir", data.toString()));
    t.init();
    return t;
  }

  @Test
  void aTokenIsDerivedPerContainerAndTheSameForEveryGatewayOnTheDataDirectory() {
    ClientTokens one = tokens();
    ClientTokens other = tokens(); // a restart, or a second gateway on the same directory

    String a = one.tokenFor("c-aaaa");
    assertThat(a).matches("[0-9a-f]{64}");
    assertThat(one.tokenFor("c-aaaa")).isEqualTo(a);
    assertThat(other.tokenFor("c-aaaa")).isEqualTo(a);
    assertThat(one.tokenFor("c-aaab")).isNotEqualTo(a);
    assertThat(a).doesNotContain("aaaa");
  }

  @Test
  void theKeyFileIsOwnerOnlyAndA32ByteKeyAndAnotherDirectoryGivesOtherTokens(
      @TempDir Path elsewhere) throws Exception {
    String here = tokens().tokenFor("c-1");
    Path file = data.resolve("client-token-key");
    assertThat(Files.size(file)).isEqualTo(KeyFiles.BYTES);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    try (var left = Files.list(data)) {
      assertThat(left).containsExactly(file); // no temporary file left beside it
    }

    ClientTokens there = new ClientTokens();
    there.settings = TestSettings.of(Map.of("cms.data.dir", elsewhere.toString()));
    there.init();
    assertThat(there.tokenFor("c-1")).isNotEqualTo(here);
  }

  @Test
  void aDamagedKeyFileIsRefusedNotReplaced() throws Exception {
    Path file = data.resolve("client-token-key");
    Files.write(file, new byte[] {1, 2, 3});
    assertThatThrownBy(this::tokens)
        .isInstanceOf(UncheckedIOException.class)
        .hasRootCauseInstanceOf(IOException.class)
        .rootCause()
        .hasMessageContaining("3 bytes");
    assertThat(Files.size(file)).isEqualTo(3);
  }

  @Test
  void gatewaysRacingToCreateTheKeyAllEndUpWithTheSameOne() throws Exception {
    Path file = data.resolve("race").resolve("preview-key");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<byte[]>> keys = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) {
        keys.add(
            pool.submit(
                (Callable<byte[]>)
                    () -> {
                      go.await();
                      return KeyFiles.loadOrCreate(file);
                    }));
      }
      go.countDown();
      Set<String> distinct = new HashSet<>();
      for (Future<byte[]> k : keys) {
        distinct.add(java.util.HexFormat.of().formatHex(k.get()));
      }
      assertThat(distinct).hasSize(1);
      assertThat(distinct.iterator().next())
          .isEqualTo(java.util.HexFormat.of().formatHex(Files.readAllBytes(file)));
    } finally {
      pool.shutdownNow();
    }
  }
}
