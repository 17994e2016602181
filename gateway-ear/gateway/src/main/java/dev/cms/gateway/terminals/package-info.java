/**
 * Live terminals: each terminal a client socket attaches is relayed to a {@code terminal} stream on
 * the container's agent link ({@code Terminals}: attach, input, resize, kill, detach, and resume
 * where the viewer left off when the agent link comes back). The agent keeps the terminal and its
 * output log; the gateway only relays and tracks each viewer's offset. {@code SocketUploads} runs
 * the uploads of a client socket. It knows its viewers only through {@code Terminals.Viewer}, so
 * the client socket ({@code clientsocket}) depends on it and not the other way round; it calls
 * {@code agents}, {@code containers} (activity) and {@code processes} (whether a terminal is a
 * process).
 */
package dev.cms.gateway.terminals;
