package dev.cms.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Frame;
import dev.cms.domain.protocol.StreamKind;
import dev.cms.domain.protocol.StreamRefusedException;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StreamKindsTest {
  private final ExecutorService workers = Executors.newCachedThreadPool();

  @AfterEach
  void tearDown() {
    workers.shutdownNow();
  }

  @Test
  void theAgentServesEveryKindOfTheContract() {
    assertThat(StreamKinds.standard(workers).served())
        .containsExactlyInAnyOrder(StreamKind.values());
  }

  @Test
  void aNameOutsideTheContractIsRefusedAsAnUnknownKind() {
    StreamKinds kinds = StreamKinds.standard(workers);
    for (String name : new String[] {"nope", "FILE_WRITE", "File-Write", ""}) {
      StreamRefusedException e =
          catchThrowableOfType(
              () -> kinds.accept(new Frame.Open(1, name, 1024, Map.of())),
              StreamRefusedException.class);
      assertThat(e.code()).as(name).isEqualTo(ErrorCode.UNKNOWN_KIND);
      assertThat(e).hasMessage("unknown stream kind: " + name);
    }
  }
}
