/**
 * The agent's dial-back data connections, which carry preview bytes beside the agent WebSocket: the
 * three ASCII lines exchanged before both sides copy raw bytes ({@link
 * dev.cms.domain.data.DataLine}). Documented in {@code docs/PROTOCOL.md} ("Data connections").
 */
package dev.cms.domain.data;
