/**
 * The runtime SPI: what the gateway needs from a container engine ({@code ContainerRuntime}, its
 * specs, views, events and failures), free of any engine's types. {@code runtime.docker} is the
 * implementation on Docker (docker-java), the only place that knows Docker.
 */
package dev.cms.gateway.runtime;
