/** The {@code exec} stream: a command run without a terminal, its output apart and its end. */
package dev.cms.domain.exec;
