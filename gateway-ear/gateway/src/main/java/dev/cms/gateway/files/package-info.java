/**
 * Files in a container. The gateway streams request and response bodies to and from the agent's
 * {@code file-write}, {@code archive-extract}, {@code file-read} and {@code archive-create} streams
 * with flow control, never holding a whole upload in memory; the agent applies every safety rule
 * and reports the rule a refused upload broke. {@code control.FileOperations} lists, stats,
 * deletes, moves and makes directories over one agent stream per call; {@code control.Watches}
 * keeps file watches (agent {@code file-watch} streams, reopened when the agent link comes back)
 * and fires {@code FileChanged}, which the owner's event stream and the client WebSocket observe.
 * It calls the agent links ({@code agents}) and is called by its boundary only.
 */
package dev.cms.gateway.files;
