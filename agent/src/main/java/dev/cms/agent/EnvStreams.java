package dev.cms.agent;

import dev.cms.agent.run.TcpStreams;
import dev.cms.domain.env.EnvWire;
import dev.cms.domain.files.ParamException;
import dev.cms.domain.kinds.KindParams;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Frame;
import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import dev.cms.domain.protocol.StreamRefusedException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Stream kind {@code env}: the gateway hands a claimed warm-pool container its user's environment
 * ({@link EnvWire}); once the commit arrived and every variable kept the rules, the agent lays it
 * over the shell environment ({@link EnvOverlay}), answers {@code Applied} and closes. A variable
 * that breaks a rule resets the stream with {@code REFUSED} and applies nothing.
 */
final class EnvStreams {
  private static final Logger LOG = Logger.getLogger(EnvStreams.class.getName());

  private EnvStreams() {}

  static StreamHandler accept(Frame.Open open, EnvOverlay overlay, Executor workers)
      throws StreamRefusedException {
    try {
      KindParams.Env.of(open.params());
    } catch (ParamException e) {
      throw TcpStreams.refusal(e);
    }
    EnvWire.Receiver receiver = new EnvWire.Receiver();
    return new StreamHandler() {
      boolean done;

      @Override
      public void onData(Stream s, byte[] data) {
        if (done) {
          s.reset(ErrorCode.REFUSED, "env message after the commit");
          return;
        }
        Map<String, String> env;
        try {
          env = receiver.feed(data);
        } catch (ProtocolException e) {
          done = true;
          s.reset(ErrorCode.REFUSED, e.getMessage());
          return;
        }
        if (env == null) {
          return;
        }
        done = true;
        overlay.apply(env);
        LOG.info("environment applied: " + env.size() + " variables " + env.keySet());
        // the answer may wait for window: never on the receiving thread
        workers.execute(
            () -> {
              try {
                s.write(EnvWire.encode(new EnvWire.Applied(env.size())));
                s.close();
              } catch (IOException e) {
                LOG.log(Level.FINE, "answering an env stream", e);
              }
            });
      }

      @Override
      public void onClose(Stream s) {
        if (!done) {
          s.reset(ErrorCode.REFUSED, "env stream closed before the commit");
        }
      }
    };
  }
}
