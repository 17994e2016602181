/**
 * Files and zip archives into and out of a container. The gateway streams request and response
 * bodies to and from the agent's {@code file-write}, {@code archive-extract}, {@code file-read} and
 * {@code archive-create} streams with flow control, never holding a whole upload in memory; the
 * agent applies every safety rule and reports the rule a refused upload broke.
 */
package dev.cms.gateway.files;
