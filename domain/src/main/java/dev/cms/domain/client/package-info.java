/**
 * The client WebSocket protocol between a browser and the gateway ({@code /ws/v1/containers/{id}}):
 * {@link dev.cms.domain.client.ClientMessage}s the browser sends as JSON text frames, {@link
 * dev.cms.domain.client.ServerMessage}s the gateway answers with, and {@link
 * dev.cms.domain.client.OutputFrame}, the binary frame carrying terminal output. {@link
 * dev.cms.domain.client.ClientCodec} reads and writes the JSON without any JSON library, so this
 * contract module stays dependency free. See {@code docs/PROTOCOL.md}, section "Client WebSocket".
 */
package dev.cms.domain.client;
