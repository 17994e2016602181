/**
 * Commands run and waited for ({@code POST /api/v1/containers/{id}/exec}): the agent's {@code exec}
 * stream, without a terminal, stdout and stderr apart.
 */
package dev.cms.gateway.commands;
