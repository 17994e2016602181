package dev.cms.gateway.processes.control;

/** A port started or stopped listening in a container (fired synchronously). */
public record PortChanged(String containerId, int port, boolean open) {}
