/**
 * The client WebSocket {@code /ws/v1/containers/{id}?token=…} (see {@code docs/PROTOCOL.md},
 * "Client WebSocket"): the endpoint ({@code ClientSocket}) authenticates and delegates; {@code
 * ClientConnections} admits, greets and forgets sockets and pushes each container's changes to
 * them; {@code ClientRouter} decodes each text frame with {@code ClientCodec} (JSON-P) and
 * dispatches it by type. It owns the wire format and whom a message goes to, not what it does: it
 * calls {@code terminals} (attach, input, resume), {@code terminals}' socket uploads, {@code
 * processes} ({@code run}) and reads {@code containers}, {@code agents} and {@code preview} URLs.
 * Nothing calls it back but CDI events.
 */
package dev.cms.gateway.clientsocket;
