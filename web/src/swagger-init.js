// Starts Swagger UI on the API docs page. Lives in its own file because the
// CSP forbids inline scripts; load it after swagger-ui-bundle.js (both with
// `defer`, in that order) on a page that has <div id="swagger-ui"></div>.
(function () {
  'use strict';

  function start() {
    if (!document.getElementById('swagger-ui') || typeof window.SwaggerUIBundle !== 'function') return;

    // swagger-ui.css ships a dark theme keyed on this class; it matches Cairn.
    document.documentElement.classList.add('dark-mode');

    window.ui = window.SwaggerUIBundle({
      url: '/api/v1/openapi.json',
      dom_id: '#swagger-ui',
      deepLinking: true,
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: 'BaseLayout',
      // No calls to the public validator service: self-hosted, strict CSP.
      validatorUrl: null,
      // Tokens typed into "Authorize" stay in memory, never in localStorage.
      persistAuthorization: false,
      displayRequestDuration: true,
      defaultModelsExpandDepth: 0,
      docExpansion: 'list',
      filter: true,
      tryItOutEnabled: false
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
