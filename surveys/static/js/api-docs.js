/* /api/docs: Swagger UI (served by the app from the flask-swagger-ui package) over /api/openapi.json.
   No inline script (the page's CSP allows only 'self'); no validator badge (it would call out). */
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    validatorUrl: null,
    deepLinking: true,
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
    presets: [SwaggerUIBundle.presets.apis],
  });
})();
