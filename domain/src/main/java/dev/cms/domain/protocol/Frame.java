package dev.cms.domain.protocol;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * One message of the agent channel (protocol version {@value FrameCodec#VERSION}).
 *
 * <p>Each frame travels as one binary WebSocket message; {@link FrameCodec} defines the bytes.
 * Stream ids are chosen by the side that opens the stream: the gateway uses odd ids, the agent even
 * ids, so both may open streams without coordination. Stream 0 is never used by a stream frame.
 */
public sealed interface Frame {

  /** Wire type code of this frame. */
  FrameType type();

  /**
   * First frame on a new connection, agent to gateway.
   *
   * @param protocolVersion the highest protocol version the agent speaks
   * @param containerId the record id the agent was started for
   * @param secret the per-container agent secret injected at creation
   * @param agentVersion the agent build, for diagnostics
   * @param openStreams ids of streams the agent still holds from an earlier connection (may be
   *     empty)
   */
  record Hello(
      int protocolVersion,
      String containerId,
      String secret,
      String agentVersion,
      java.util.List<Integer> openStreams)
      implements Frame {
    public Hello {
      Objects.requireNonNull(containerId, "containerId");
      Objects.requireNonNull(secret, "secret");
      Objects.requireNonNull(agentVersion, "agentVersion");
      openStreams = java.util.List.copyOf(openStreams);
    }

    @Override
    public FrameType type() {
      return FrameType.HELLO;
    }

    @Override
    public String toString() {
      return "Hello[protocolVersion=%d, containerId=%s, secret=***, agentVersion=%s, openStreams=%s]"
          .formatted(protocolVersion, containerId, agentVersion, openStreams);
    }
  }

  /**
   * Gateway's answer to an accepted {@link Hello}.
   *
   * @param protocolVersion the protocol version both sides now speak
   * @param heartbeatMillis how often the agent must ping; the gateway drops a link silent for 3
   *     intervals
   * @param initialWindow the receive window, in bytes, each side grants every new stream
   * @param linkCredential when the HELLO presented the one-time create-time secret: the link
   *     credential the agent must present from now on (the secret is refused after this answer);
   *     empty when the HELLO presented the link credential already
   */
  record Welcome(int protocolVersion, int heartbeatMillis, int initialWindow, String linkCredential)
      implements Frame {
    public Welcome {
      Objects.requireNonNull(linkCredential, "linkCredential");
    }

    /** A WELCOME that issues no link credential. */
    public Welcome(int protocolVersion, int heartbeatMillis, int initialWindow) {
      this(protocolVersion, heartbeatMillis, initialWindow, "");
    }

    @Override
    public FrameType type() {
      return FrameType.WELCOME;
    }

    @Override
    public String toString() {
      return "Welcome[protocolVersion=%d, heartbeatMillis=%d, initialWindow=%d, linkCredential=%s]"
          .formatted(
              protocolVersion,
              heartbeatMillis,
              initialWindow,
              linkCredential.isEmpty() ? "" : "***");
    }
  }

  /** Liveness probe; the peer answers with a {@link Pong} carrying the same token. */
  record Ping(long token) implements Frame {
    @Override
    public FrameType type() {
      return FrameType.PING;
    }
  }

  /** Answer to a {@link Ping}. */
  record Pong(long token) implements Frame {
    @Override
    public FrameType type() {
      return FrameType.PONG;
    }
  }

  /**
   * Opens a stream of a given kind (for example {@code echo}, {@code terminal}, {@code file}).
   *
   * @param streamId new stream id (odd when opened by the gateway, even when opened by the agent)
   * @param kind what the stream is for; the receiver refuses kinds it does not know
   * @param window bytes the opener is ready to receive on this stream before the first {@link
   *     Window}
   * @param params kind-specific parameters
   */
  record Open(int streamId, String kind, int window, Map<String, String> params) implements Frame {
    public Open {
      Objects.requireNonNull(kind, "kind");
      params = Map.copyOf(params);
    }

    @Override
    public FrameType type() {
      return FrameType.OPEN;
    }
  }

  /** The stream was accepted; {@code window} is what the acceptor is ready to receive. */
  record OpenOk(int streamId, int window) implements Frame {
    @Override
    public FrameType type() {
      return FrameType.OPEN_OK;
    }
  }

  /** The stream was refused, with a {@link ErrorCode} and a human-readable message. */
  record OpenFail(int streamId, int code, String message) implements Frame {
    public OpenFail {
      Objects.requireNonNull(message, "message");
    }

    @Override
    public FrameType type() {
      return FrameType.OPEN_FAIL;
    }
  }

  /**
   * Bytes on a stream; at most {@link FrameCodec#MAX_DATA} of them, and never more than the
   * receiver's remaining window.
   */
  record Data(int streamId, byte[] payload) implements Frame {
    public Data {
      Objects.requireNonNull(payload, "payload");
    }

    @Override
    public FrameType type() {
      return FrameType.DATA;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Data d && d.streamId == streamId && Arrays.equals(d.payload, payload);
    }

    @Override
    public int hashCode() {
      return 31 * streamId + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
      return "Data[streamId=%d, %d bytes]".formatted(streamId, payload.length);
    }
  }

  /**
   * The sender consumed {@code increment} more bytes of the stream: the peer may send that many
   * more.
   */
  record Window(int streamId, int increment) implements Frame {
    @Override
    public FrameType type() {
      return FrameType.WINDOW;
    }
  }

  /**
   * The sender will send no more data on the stream (half close); the stream ends when both sides
   * closed.
   */
  record Close(int streamId) implements Frame {
    @Override
    public FrameType type() {
      return FrameType.CLOSE;
    }
  }

  /** Aborts a stream in both directions, with a {@link ErrorCode} and a reason. */
  record Reset(int streamId, int code, String reason) implements Frame {
    public Reset {
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public FrameType type() {
      return FrameType.RESET;
    }
  }

  /**
   * The sender is closing the connection, with a {@link ErrorCode} and a reason (for example a bad
   * secret).
   */
  record GoAway(int code, String reason) implements Frame {
    public GoAway {
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public FrameType type() {
      return FrameType.GOAWAY;
    }
  }
}
