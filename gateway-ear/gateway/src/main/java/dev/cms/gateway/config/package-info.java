/**
 * Every setting of the gateway ({@code Settings}), read through MicroProfile Config: each property
 * {@code cms.x.y} also from the environment variable {@code CMS_X_Y}. The bottom of the gateway:
 * depends on no other component.
 */
package dev.cms.gateway.config;
