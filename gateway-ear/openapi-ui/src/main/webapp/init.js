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
      // examples written as JSON text in the annotations: the gateway's mp.openapi.filter makes them
      // objects, except in the EAR on Payara Server, which does not read that setting; same here
      jsonExamples(spec);
      options.spec = spec;
      window.ui = SwaggerUIBundle(options);
    })
    .catch(function () {
      options.url = url;
      window.ui = SwaggerUIBundle(options);
    });
});

// Every schema's "example" that is the text of a JSON object or array, as that object or array.
function jsonExamples(node) {
  if (Array.isArray(node)) {
    node.forEach(jsonExamples);
    return;
  }
  if (node === null || typeof node !== "object") return;
  Object.keys(node).forEach(function (k) {
    var v = node[k];
    if (k === "example" && typeof v === "string" && /^\s*[[{][\s\S]*[\]}]\s*$/.test(v)) {
      try {
        node[k] = JSON.parse(v);
      } catch (e) {
        // not JSON after all: kept as written
      }
    } else {
      jsonExamples(v);
    }
  });
}
