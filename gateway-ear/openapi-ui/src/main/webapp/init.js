// Swagger UI over the gateway's OpenAPI document (Payara serves it at /openapi); a file of its own so
// the page runs under a CSP without 'unsafe-inline' scripts.
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  var options = {
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout",
    // no calls to the public validator service: nothing leaves the machine
    validatorUrl: null,
    persistAuthorization: false
  };
  var url = root.getAttribute("data-spec-url");
  fetch(url, { headers: { Accept: "application/json" } })
    .then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    })
    .then(function (spec) {
      // "Try it out" calls this origin: Payara's merged document may name another app's context
      // root (e.g. /console) as a server when the WARs sit in an EAR
      spec.servers = [{ url: "/", description: "this gateway" }];
      options.spec = spec;
      window.ui = SwaggerUIBundle(options);
    })
    .catch(function () {
      options.url = url;
      window.ui = SwaggerUIBundle(options);
    });
});
