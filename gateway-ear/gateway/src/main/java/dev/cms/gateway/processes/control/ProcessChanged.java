package dev.cms.gateway.processes.control;

/** A process started or ended (fired synchronously). */
public record ProcessChanged(String containerId, ProcessView process) {}
