package dev.cms.gateway.containers.control;

import dev.cms.domain.ContainerStatus;
import java.time.Instant;

/** One entry of a container's history as the API shows it. */
public record EventView(
    Instant at, String kind, ContainerStatus from, ContainerStatus to, String reason) {}
