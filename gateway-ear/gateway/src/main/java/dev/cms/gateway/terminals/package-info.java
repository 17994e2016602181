/**
 * Live terminals: the client WebSocket {@code /ws/v1/containers/{id}} relays each attached terminal
 * to a {@code terminal} stream on the container's agent link. The agent keeps the terminal and its
 * output log; the gateway only relays, tracks each client's offset, and re-attaches by itself when
 * the agent link comes back.
 */
package dev.cms.gateway.terminals;
