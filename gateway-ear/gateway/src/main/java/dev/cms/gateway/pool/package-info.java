/**
 * The warm pool (issue 14): per template, {@code CMS_WARM_POOL_SIZE} started AppContainers whose
 * agents are connected, waiting for a user, so that a create answers in milliseconds instead of
 * seconds. A create claims one ({@code containers.control.WarmSupply}): its limits through the
 * engine's update, its environment to the agent over an {@code env} stream (acknowledged), then
 * owner, labels and clocks on the record. The pool refills in the background (at most {@value
 * dev.cms.gateway.pool.control.WarmPool#MAX_PARALLEL_FILLS} containers starting at once, backoff
 * after failures), removes unhealthy members, what an earlier run left, and everything it holds
 * when the gateway stops. Waiting containers belong to no user: no quota, list or event stream
 * shows them; together they count against {@code CMS_WARM_POOL_MAX}.
 *
 * <p>Boundary: {@code PoolResource} ({@code GET /api/v1/pool}, admins only). Calls {@code
 * containers} (records, lifecycle), {@code agents} (the links), {@code runtime} (limits), {@code
 * config}, {@code problems}.
 */
package dev.cms.gateway.pool;
