// The page's CSRF token (from <meta name="csrf-token">), for every script that sends
// something: iocCsrf.headers(h) adds X-CSRF-Token to a headers object and returns it, with
// Accept-Language set to the page's language, so that a refusal comes back in the words the
// page speaks. htmx requests get both too. Loaded before the other scripts of a page.
(function () {
  'use strict';
  function token() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : '';
  }
  function headers(h) {
    var out = h || {};
    var value = token();
    if (value) out['X-CSRF-Token'] = value;
    var lang = document.documentElement.lang;
    if (lang && !out['Accept-Language']) out['Accept-Language'] = lang;
    return out;
  }
  window.iocCsrf = { token: token, headers: headers };
  document.addEventListener('htmx:configRequest', function (ev) {
    headers(ev.detail.headers);
  });
})();
