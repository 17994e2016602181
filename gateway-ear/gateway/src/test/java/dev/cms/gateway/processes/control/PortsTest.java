package dev.cms.gateway.processes.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Stream;
import dev.cms.gateway.testing.MuxPair;
import dev.cms.gateway.testing.RecordingEvent;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class PortsTest {

  @Test
  void anEndlessPortsLineResetsTheStreamAndKeepsTheKnownPorts() throws Exception {
    Ports ports = new Ports();
    RecordingEvent<PortChanged> changes = new RecordingEvent<>();
    ports.changes = changes;
    try (MuxPair pair = new MuxPair(64 * 1024)) {
      pair.gateway.open("ports", Map.of(), ports.follower("c-1"));
      Stream agent = pair.agentStream.get(10, TimeUnit.SECONDS);
      agent.write("snapshot 3000\n".getBytes(StandardCharsets.UTF_8));

      // 100 MiB were meant; the gateway must stop it after its 64 KiB bound
      byte[] chunk = new byte[32 * 1024];
      Arrays.fill(chunk, (byte) '1');
      long written = 0;
      try {
        while (written < 100L << 20 && !pair.agentReset.isDone()) {
          agent.write(chunk);
          written += chunk.length;
        }
      } catch (java.io.IOException reset) {
        // the stream was reset under the write
      }

      assertThat(pair.agentReset.get(10, TimeUnit.SECONDS))
          .startsWith(ErrorCode.PROTOCOL + " bad ports line: a ports line longer than 65536 bytes");
      assertThat(written).isLessThan(1L << 20);
      assertThat(ports.of("c-1")).containsExactly(3000);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (pair.gateway.streamCount() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(5); // the reset is sent before the stream is forgotten
      }
      assertThat(pair.gateway.streamCount()).isZero();
    }
  }
}
