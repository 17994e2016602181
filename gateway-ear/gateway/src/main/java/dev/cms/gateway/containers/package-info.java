/**
 * Containers and their lifecycle: {@code boundary.ContainersResource} serves {@code
 * /api/v1/containers}; {@code control.Containers} creates, starts, stops, pauses and deletes them
 * on the runtime and keeps their records ({@code entity.ContainerRecord}, {@code
 * entity.ContainerEvent}) in step with the engine; {@code control.Housekeeping} reaps idle and
 * expired ones; {@code control.ContainerMeters} counts them for {@code /metrics}. Agents are asked
 * through their own component; the component answers agents' admissions ({@code
 * control.ContainerAgentAdmissions}).
 */
package dev.cms.gateway.containers;
