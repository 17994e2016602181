/**
 * Templates: named images (a base plus setup commands, e.g. {@code node22}, {@code python3})
 * defined in the configuration ({@code CMS_TEMPLATES}, {@code CMS_TEMPLATE_<NAME>_BASE|SETUP|
 * DESCRIPTION}), built once in the background at start through the runtime SPI and cached on the
 * engine, listed at {@code GET /api/v1/templates} and chosen at create ({@code "template"}). The
 * implicit {@code default} is the AppContainer image. Owns the templates' build states (memory
 * only: the images themselves are the cache); calls the runtime and the settings; the containers
 * component calls it for the image of a create ({@link
 * dev.cms.gateway.templates.control.Templates#choose}), a warm pool for a template's image ({@link
 * dev.cms.gateway.templates.control.Templates#readyImage}).
 */
package dev.cms.gateway.templates;
