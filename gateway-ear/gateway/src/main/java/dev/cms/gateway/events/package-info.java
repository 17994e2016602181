/**
 * Owners' live event streams: {@code control.EventHub} observes the status, process, port, file and
 * snapshot events the other components fire and pushes them to the owners' Server-Sent Events
 * streams, {@code boundary.EventsResource} serves {@code GET /api/v1/events}.
 */
package dev.cms.gateway.events;
