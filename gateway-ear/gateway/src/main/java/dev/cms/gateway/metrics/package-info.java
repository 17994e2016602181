/**
 * The gateway's own MicroProfile Metrics (application scope, served by the platform at {@code
 * /metrics}): one place that names every meter, so the components only say what happened. It
 * depends on no other component; everything that records a measurement depends on it.
 */
package dev.cms.gateway.metrics;
