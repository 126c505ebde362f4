// The bell in the top bar: how many of the user's notifications are unread. Asked on load,
// after live messages (at most once every two seconds: events can arrive many a second, and
// the count only needs to be fresh) and every minute in case the live stream is down.
(function () {
  'use strict';
  var GAP_MS = 2000;
  var EVERY_MS = 60000;

  function start() {
    var bell = document.querySelector('[data-testid="bell"]');
    if (!bell) return;  // not signed in
    var countEl = bell.querySelector('.bell-count');
    var shown = null;
    var lastAsked = 0;
    var timer = null;

    function show(n) {
      if (n === shown) return;
      shown = n;
      bell.setAttribute('data-unread', String(n));
      bell.classList.toggle('has-unread', n > 0);
      if (!countEl) return;
      countEl.textContent = n > 99 ? '99+' : String(n);
      countEl.hidden = n === 0;
    }

    function ask() {
      timer = null;
      lastAsked = Date.now();
      fetch('/api/notifications/unread-count', {
        credentials: 'same-origin',
        headers: { Accept: 'application/json' },
      })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) { if (body && typeof body.unread === 'number') show(body.unread); })
        .catch(function () { /* offline: keep the last count */ });
    }

    function soon() {
      if (timer) return;
      timer = setTimeout(ask, Math.max(0, lastAsked + GAP_MS - Date.now()));
    }

    ask();
    setInterval(soon, EVERY_MS);
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'visible') soon();
    });
    if (window.EventSource) {
      var source = new EventSource('/api/live');
      source.addEventListener('alert', soon);
      source.addEventListener('data', soon);
    }
    window.IOC = window.IOC || {};
    window.IOC.bell = { refresh: soon };
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
