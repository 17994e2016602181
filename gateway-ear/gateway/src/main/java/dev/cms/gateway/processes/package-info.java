/**
 * Processes started through the API (the user's app: {@code npm install && npm start}) and the
 * ports listening in each container. A process is a terminal on the agent that runs a command; the
 * gateway watches it to keep its state and exit code, and follows the agent's {@code ports} stream
 * to know which ports listen. Both are pushed to client WebSockets as {@code process} and {@code
 * port} messages.
 *
 * <p>The agent is the source of truth, the gateway's records a cache of it: after every handshake
 * the gateway opens the agent's {@code processes} stream (a snapshot of every command terminal with
 * its command, directory, port, times, state and exit code, then every change) and its {@code
 * ports} stream (a snapshot, then changes). So a restarted gateway, or a link that came back, lists
 * the running and exited processes again, including those that ended while nobody watched, and
 * their terminals stay attachable; preview URLs depend only on the container id and the data
 * directory's key, so they are unchanged. What the agent sends is bounded and checked ({@code
 * ProcessWire.Follower}, {@link dev.cms.gateway.processes.control.Ports#MAX_LINE}); a violation
 * resets that stream only. Only a container restart (a new agent) loses the processes: running ones
 * are then listed as exited with code -1.
 *
 * <p>Calls: {@code agents} (the links), {@code containers} (access checks, history notes).
 */
package dev.cms.gateway.processes;
