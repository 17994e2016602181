package dev.cms.gateway.templates.control;

/**
 * A template as the API shows it.
 *
 * @param name what a create names in {@code "template"}
 * @param description the operator's words for it; may be null
 * @param base the base image it is built on (the AppContainer base when it names none)
 * @param status whether its image is usable
 * @param image the image's reference once READY, else null
 * @param error why it FAILED, else null
 */
public record TemplateView(
    String name,
    String description,
    String base,
    TemplateStatus status,
    String image,
    String error) {}
