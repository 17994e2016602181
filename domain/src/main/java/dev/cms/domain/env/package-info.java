/**
 * The {@code env} stream: the environment of a claimed warm-pool container, handed to its agent
 * after the container started (a pooled container starts before its user and their {@code env} are
 * known).
 */
package dev.cms.domain.env;
