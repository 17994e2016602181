package dev.cms.gateway.commands.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cms.domain.kinds.KindParams;
import dev.cms.domain.protocol.StreamKind;
import dev.cms.gateway.problems.ApiException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code exec} OPEN a request becomes: the same parameters the gateway always sent. */
class CommandsParamsTest {

  @Test
  void aRequestBecomesTheExecRecordAndItsParameters() {
    KindParams.Exec e = Commands.params(new ExecRequest("ls -la", null, Map.of("A", "1"), 5, null));

    assertThat(e.kind()).isEqualTo(StreamKind.EXEC);
    assertThat(e.params())
        .isEqualTo(
            Map.of(
                "command", "ls -la",
                "cwd", "/app",
                "env.A", "1",
                "timeoutMs", "5000",
                "maxOutput", "1048576"));
    assertThat(KindParams.Exec.of(e.params())).isEqualTo(e);
    assertThat(Commands.params(new ExecRequest("true", "/w", null, null, null)).timeoutMs())
        .isEqualTo(60_000);
  }

  @Test
  void agentVariablesAreRefusedHere() {
    assertThatThrownBy(
            () -> Commands.params(new ExecRequest("x", null, Map.of("CMS_X", "1"), null, null)))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("CMS_X");
  }
}
