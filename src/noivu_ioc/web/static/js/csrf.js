// The page's CSRF token (from <meta name="csrf-token">), for every script that sends
// something: iocCsrf.headers(h) adds X-CSRF-Token to a headers object and returns it.
// htmx requests get it too. Loaded before the other scripts of a page.
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
    return out;
  }
  window.iocCsrf = { token: token, headers: headers };
  document.addEventListener('htmx:configRequest', function (ev) {
    headers(ev.detail.headers);
  });
})();
