package dev.cms.gateway.files.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Stream;
import dev.cms.gateway.testing.MuxPair;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class TransfersVerdictTest {

  @Test
  void aVerdictLineOverTheBoundFailsTheUploadAndResetsTheStream() throws Exception {
    Transfers.Verdict verdict = new Transfers.Verdict();
    try (MuxPair pair = new MuxPair(64 * 1024)) {
      pair.gateway.open("file-write", Map.of(), verdict);
      Stream agent = pair.agentStream.get(10, TimeUnit.SECONDS);
      byte[] line = new byte[Transfers.MAX_VERDICT_LINE + 1];
      Arrays.fill(line, (byte) 'p');
      try {
        agent.write(line);
      } catch (java.io.IOException reset) {
        // reset under the write
      }

      assertThat(verdict.result.get(10, TimeUnit.SECONDS))
          .containsExactly("error", "io-error", "the agent sent a malformed result");
      assertThat(pair.agentReset.get(10, TimeUnit.SECONDS)).startsWith(ErrorCode.PROTOCOL + " ");
    }
  }

  @Test
  void aVerdictSplitAcrossFramesIsReadWhole() throws Exception {
    Transfers.Verdict verdict = new Transfers.Verdict();
    try (MuxPair pair = new MuxPair(64 * 1024)) {
      pair.gateway.open("file-write", Map.of(), verdict);
      Stream agent = pair.agentStream.get(10, TimeUnit.SECONDS);
      agent.write("progress 1048576\nok 12".getBytes(StandardCharsets.UTF_8));
      agent.write("34 1\n".getBytes(StandardCharsets.UTF_8));

      assertThat(verdict.result.get(10, TimeUnit.SECONDS)).containsExactly("ok", "1234", "1");
    }
  }
}
