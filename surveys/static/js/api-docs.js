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
  // Swagger UI's icon sprite (svg.svg-assets) is only a store of symbols: hide it from
  // assistive technology, as it carries no text alternative of its own.
  function hideSprites() {
    Array.prototype.forEach.call(root.querySelectorAll("svg.svg-assets:not([aria-hidden])"), function (svg) {
      svg.setAttribute("aria-hidden", "true");
    });
  }
  new MutationObserver(hideSprites).observe(root, { childList: true, subtree: true });
  hideSprites();
})();
