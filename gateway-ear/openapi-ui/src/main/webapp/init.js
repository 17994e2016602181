// Swagger UI over the gateway's OpenAPI document (Payara serves it at /openapi); a file of its own so
// the page runs under a CSP without 'unsafe-inline' scripts.
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout",
    // no calls to the public validator service: nothing leaves the machine
    validatorUrl: null,
    persistAuthorization: false
  });
});
