/**
 * Readiness on {@code /health/ready}: the record database, the container engine and the containers'
 * network containment. Answers name the check and UP/DOWN only; the reasons go to the log.
 */
package dev.cms.gateway.health;
