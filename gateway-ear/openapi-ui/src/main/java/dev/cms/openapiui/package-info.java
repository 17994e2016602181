/**
 * The Swagger UI page at {@code /openapi/ui}: static assets of the {@code swagger-ui} webjar served
 * from this WAR, pointed at Payara's {@code /openapi} document. A WAR of its own because Payara's
 * OpenAPI system application owns the {@code /openapi} context root; the longer root {@code
 * /openapi/ui} takes this WAR's paths.
 */
package dev.cms.openapiui;
