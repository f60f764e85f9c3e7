// The API explorer at /docs: Swagger UI served from static/vendor (no CDN), started from this
// file rather than an inline script, so the page keeps a Content-Security-Policy without
// 'unsafe-inline'.
window.addEventListener("DOMContentLoaded", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
  });
});
