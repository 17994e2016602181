package dev.cms.domain.protocol;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Echoes every byte back, off the receiving thread: the bytes are credited to the peer only after
 * they were written back, so at most one window is buffered.
 */
final class EchoHandler implements StreamHandler {
  private final ExecutorService writer = Executors.newSingleThreadExecutor();

  @Override
  public void onData(Stream s, byte[] data) {
    writer.execute(
        () -> {
          try {
            s.write(data);
            s.credit(data.length);
          } catch (IOException e) {
            writer.shutdown();
          }
        });
  }

  @Override
  public void onClose(Stream s) {
    writer.execute(s::close);
    writer.shutdown();
  }

  @Override
  public void onReset(Stream s, int code, String reason) {
    writer.shutdownNow();
  }

  @Override
  public boolean autoCredit() {
    return false;
  }
}
