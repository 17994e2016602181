/**
 * Processes started through the API (the user's app: {@code npm install && npm start}) and the
 * ports listening in each container. A process is a terminal on the agent that runs a command; the
 * gateway watches it to keep its state and exit code, and follows the agent's {@code ports} stream
 * to know which ports listen. Both are pushed to client WebSockets as {@code process} and {@code
 * port} messages. Process records live in the gateway's memory: after a gateway restart the
 * processes keep running (their terminals stay attachable) but are no longer listed.
 */
package dev.cms.gateway.processes;
