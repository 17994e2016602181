package dev.cms.client;

import java.time.Instant;

/** One entry of a container's history ({@code GET …/{id}/events}): a status change or a note. */
public record ContainerEvent(Instant at, String kind, String from, String to, String reason) {}
