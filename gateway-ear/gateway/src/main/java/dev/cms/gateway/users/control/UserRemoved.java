package dev.cms.gateway.users.control;

/**
 * A user was deleted; what they owned elsewhere (snapshots) goes too. Fired after the deletion is
 * committed.
 *
 * @param userId the deleted user's id, which is also their owner id
 */
public record UserRemoved(String userId) {}
