/**
 * The messages of the agent channel's {@code processes} stream (see {@code docs/PROTOCOL.md}): the
 * agent's report of its command terminals (the processes the gateway started), so that a gateway
 * that restarted, or an agent link that came back, learns every process again from the agent, which
 * is their source of truth.
 */
package dev.cms.domain.process;
