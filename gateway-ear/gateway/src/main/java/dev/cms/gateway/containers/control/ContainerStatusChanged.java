package dev.cms.gateway.containers.control;

import dev.cms.domain.ContainerStatus;

/**
 * Fired (synchronously, after the change is stored) whenever a container's record changes status.
 */
public record ContainerStatusChanged(String containerId, ContainerStatus status, String reason) {}
