/**
 * The client WebSocket protocol between a browser and the gateway ({@code /ws/v1/containers/{id}}):
 * {@link dev.cms.domain.client.ClientMessage}s the browser sends as JSON text frames, {@link
 * dev.cms.domain.client.ServerMessage}s the gateway answers with, and {@link
 * dev.cms.domain.client.OutputFrame}, the binary frame carrying terminal output. The records
 * validate their fields; the JSON itself is read and written by the gateway's {@code ClientCodec}
 * on JSON-P (the platform's JSON), so this contract module stays free of Jakarta EE. See {@code
 * docs/PROTOCOL.md}, section "Client WebSocket".
 */
package dev.cms.domain.client;
