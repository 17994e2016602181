/**
 * The containers' agents: {@code control.AgentListener} is the one port a container may reach and
 * relays the agent's WebSocket upgrade to {@code boundary.AgentSocket}, which admits the agent
 * (asking the records through {@code control.AgentAdmissions}, which {@code containers} implements)
 * and keeps its multiplexed link in {@code control.Agents}; {@code control.DataConnections} pairs
 * the agent's extra data connections (preview traffic) with their streams. Everything an agent
 * sends is untrusted and bounded ({@code control.Untrusted}, {@code control.RateWindow}).
 */
package dev.cms.gateway.agents;
