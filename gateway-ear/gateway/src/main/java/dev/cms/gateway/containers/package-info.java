/**
 * Containers and their lifecycle: {@code boundary.ContainersResource} serves {@code
 * /api/v1/containers}; {@code control.Containers} creates, starts, stops, pauses and deletes them
 * (the engine's side in {@code control.ContainerEngine}, the warm pool's in {@code
 * control.PooledContainers}, the shared records and locks in {@code control.ContainerLedger});
 * {@code control.EngineSync} keeps their records ({@code entity.ContainerRecord}, {@code
 * entity.ContainerEvent}) in step with the engine; {@code control.Housekeeping} runs it and the
 * {@code control.Reaper} of idle and expired ones; {@code control.ContainerMeters} counts them for
 * {@code /metrics}. Agents are asked through their own component; the component answers agents'
 * admissions ({@code control.ContainerAgentAdmissions}).
 */
package dev.cms.gateway.containers;
