package dev.cms.gateway;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/** The REST API lives under {@code /api}; versioned resources add {@code v1/…}. */
@ApplicationPath("api")
@OpenAPIDefinition(
    info =
        @Info(
            title = "Container Management Service",
            version = "1",
            description =
                "Sandbox containers with a live shell, files and app previews. Authenticate with"
                    + " 'Authorization: Bearer' and an API key (cmsk_…) or a session token. Errors are application/problem+json"
                    + " (schema Problem); a refused request body lists each field in"
                    + " violations."))
@SecurityScheme(
    securitySchemeName = "apiKey",
    type = SecuritySchemeType.HTTP,
    scheme = "bearer",
    bearerFormat = "API key (cmsk_…) or session token",
    description =
        "'Authorization: Bearer' and an API key (cmsk_…, from CMS_API_KEYS or POST"
            + " /api/v1/keys) or a session token (POST /api/v1/sessions).")
public class ApiApplication extends Application {}
