// Starts the vendored Swagger UI on /docs (a file, not an inline script: the
// Content-Security-Policy allows none). "Try it out" requests carry the CSRF token.
(function () {
  'use strict';
  var holder = document.getElementById('swagger-ui');
  window.SwaggerUIBundle({
    url: holder.dataset.openapi,
    dom_id: '#swagger-ui',
    layout: 'BaseLayout',
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIBundle.SwaggerUIStandalonePreset],
    requestInterceptor: function (request) {
      request.headers = window.iocCsrf.headers(request.headers || {});
      return request;
    }
  });
})();
