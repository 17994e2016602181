package dev.cms.gateway.files.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cms.domain.files.Rule;
import dev.cms.domain.files.Transfer;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Stream;
import dev.cms.gateway.agents.control.Agents;
import dev.cms.gateway.config.Settings;
import dev.cms.gateway.containers.control.Containers;
import dev.cms.gateway.metrics.Meters;
import dev.cms.gateway.problems.ApiException;
import dev.cms.gateway.testing.Beans;
import dev.cms.gateway.testing.MuxPair;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The one upload service against a scripted (possibly hostile) agent on a real Mux. */
@Timeout(30)
class UploadsTest {

  private MuxPair pair;
  private Uploads uploads;
  private final List<String> refusals = new CopyOnWriteArrayList<>();
  private final List<String> notes = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    pair = new MuxPair(64 * 1024);
    Settings settings = new Settings();
    Beans.set(settings, "maxUploadMb", 1L);
    uploads = new Uploads();
    uploads.settings = settings;
    uploads.agents =
        new Agents() {
          @Override
          public Optional<Link> link(String containerId) {
            return Optional.of(new Link(containerId, null, pair.gateway, "test", Instant.now()));
          }
        };
    uploads.meters =
        new Meters() {
          @Override
          public void uploadRefused(String rule) {
            refusals.add(rule);
          }

          @Override
          public void relayed(Channel channel, long n) {}
        };
    uploads.containers =
        new Containers() {
          @Override
          public void note(String id, String kind, String text) {
            notes.add(kind + " " + text);
          }

          @Override
          public void activity(String id) {}
        };
  }

  @AfterEach
  void tearDown() {
    pair.close();
  }

  private Uploads.Upload start(List<Long> progress) {
    return uploads.start("c-1", new Transfer.FileWrite("/app/a.txt", -1, 100), progress::add, "");
  }

  @Test
  void theOpenCarriesTheRecordsParameters() throws Exception {
    start(new CopyOnWriteArrayList<>());
    Stream agent = pair.agentStream.get(10, TimeUnit.SECONDS);
    assertThat(agent.kind()).isEqualTo("file-write");
    assertThat(agent.params()).isEqualTo(Map.of("path", "/app/a.txt", "maxBytes", "100"));
  }

  @Test
  void aResultLineOverTheBoundFailsTheUploadAndResetsTheStream() throws Exception {
    Uploads.Upload up = start(new CopyOnWriteArrayList<>());
    Stream agent = pair.agentStream.get(10, TimeUnit.SECONDS);
    byte[] line = new byte[Transfer.MAX_LINE + 1];
    Arrays.fill(line, (byte) 'p');
    try {
      agent.write(line);
    } catch (java.io.IOException reset) {
      // reset under the write
    }

    assertThat(up.verdict().get(10, TimeUnit.SECONDS))
        .isEqualTo(new Transfer.Refused(Rule.IO_ERROR, "the agent sent a malformed result"));
    assertThat(pair.agentReset.get(10, TimeUnit.SECONDS)).startsWith(ErrorCode.PROTOCOL + " ");
    assertThat(refusals).containsExactly("io-error");
  }

  @Test
  void progressAndAVerdictSplitAcrossFramesAreReadWhole() throws Exception {
    List<Long> progress = new CopyOnWriteArrayList<>();
    Uploads.Upload up = start(progress);
    Stream agent = pair.agentStream.get(10, TimeUnit.SECONDS);
    agent.write("progress 1048576\nok 12".getBytes(StandardCharsets.UTF_8));
    agent.write("34 1\n".getBytes(StandardCharsets.UTF_8));

    assertThat(up.verdict().get(10, TimeUnit.SECONDS)).isEqualTo(new Transfer.Done(1234, 1));
    assertThat(progress).containsExactly(1_048_576L);
    assertThat(notes).containsExactly("FILE_WRITTEN /app/a.txt (1234 bytes)");
  }

  @Test
  void theAgentsRefusalIsAProblemWithTheRulesStatus() throws Exception {
    CompletableFuture<ApiException> thrown =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                uploads.upload(
                    "c-1",
                    uploads.archiveExtract("/app"),
                    new ByteArrayInputStream(new byte[] {1, 2, 3}));
                return null;
              } catch (ApiException e) {
                return e;
              }
            });
    Stream agent = pair.agentStream.get(10, TimeUnit.SECONDS);
    agent.write(
        Transfer.encode(new Transfer.Refused(Rule.DOTDOT_ENTRY, "../x escapes the destination")));

    ApiException e = thrown.get(10, TimeUnit.SECONDS);
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.rule()).isEqualTo("dotdot-entry");
    assertThat(refusals).containsExactly("dotdot-entry");
  }

  @Test
  void moreThanTheLimitIsRefusedAsTooLargeAndTheStreamReset() throws Exception {
    Uploads.Upload up = start(new CopyOnWriteArrayList<>());
    pair.agentStream.get(10, TimeUnit.SECONDS);
    byte[] above = new byte[1024 * 1024 + 1];

    assertThat(up.write(above, 0, above.length)).isFalse();
    assertThat(up.verdict().get(10, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(
            Transfer.Refused.class, r -> assertThat(r.rule()).isEqualTo(Rule.TOO_LARGE));
    assertThat(pair.agentReset.get(10, TimeUnit.SECONDS)).startsWith(ErrorCode.CANCELLED + " ");
    assertThat(up.write(new byte[1], 0, 1)).isFalse();
  }
}
