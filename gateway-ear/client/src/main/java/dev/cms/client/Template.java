package dev.cms.client;

/**
 * A template as {@code GET /api/v1/templates} shows it.
 *
 * @param name what a create names in {@code "template"}
 * @param description the operator's words for it; may be null
 * @param base the base image it is built on
 * @param status {@code BUILDING}, {@code READY} or {@code FAILED}
 * @param image the image's reference once READY, else null
 * @param error why it FAILED (the build output for admins), else null
 */
public record Template(
    String name, String description, String base, String status, String image, String error) {}
