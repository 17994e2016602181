package dev.cms.gateway.processes.control;

import dev.cms.domain.process.ProcessWire;
import dev.cms.domain.protocol.ErrorCode;
import dev.cms.domain.protocol.Mux;
import dev.cms.domain.protocol.ProtocolException;
import dev.cms.domain.protocol.Stream;
import dev.cms.domain.protocol.StreamHandler;
import java.util.List;
import java.util.logging.Logger;

/**
 * The gateway's end of an agent's {@code processes} stream: the agent's snapshot and changes go to
 * {@link Processes}. The agent is not trusted: {@link ProcessWire.Follower} bounds what it may send
 * (message size, number of processes, order), and a violation resets the stream with {@code
 * PROTOCOL}; the processes already learned stay, the link stays.
 */
final class ProcessResync implements StreamHandler {

  private static final Logger LOG = Logger.getLogger(ProcessResync.class.getName());

  private final Processes processes;
  private final String containerId;
  private final Mux mux;
  private final ProcessWire.Follower follower = new ProcessWire.Follower();
  private volatile boolean broken;

  ProcessResync(Processes processes, String containerId, Mux mux) {
    this.processes = processes;
    this.containerId = containerId;
    this.mux = mux;
  }

  @Override
  public void onData(Stream s, byte[] data) {
    if (broken) {
      return;
    }
    List<ProcessWire.Follower.Event> events;
    try {
      events = follower.feed(data);
    } catch (ProtocolException e) {
      broken = true;
      LOG.warning(
          () -> "agent of " + containerId + " broke the processes stream: " + e.getMessage());
      s.reset(ErrorCode.PROTOCOL, e.getMessage());
      return;
    }
    for (ProcessWire.Follower.Event e : events) {
      if (e instanceof ProcessWire.Follower.Synced synced) {
        processes.synced(containerId, mux, synced.processes());
      } else if (e instanceof ProcessWire.Follower.Changed changed) {
        processes.learn(containerId, mux, changed.process(), true);
      }
      // Dropped: the agent evicted an exited process; the gateway keeps its record as history
    }
  }

  @Override
  public void onClose(Stream s) {
    s.close();
  }
}
