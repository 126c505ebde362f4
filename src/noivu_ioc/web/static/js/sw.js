// The phone's service worker, served at /sw.js so that its scope is the whole site.
//
// It keeps the app shell (the phone page's static files) so that the page starts offline,
// and the last phone page itself (network first, the copy only when the network fails).
// It never stores an API answer: figures and alerts belong to one user and one scope, so
// they go straight to the network, and the page keeps its own last figures for its user.
// Logging in or out drops the stored page. Bump VERSION whenever the shell changes.
'use strict';

var VERSION = 'v2';
var SHELL_CACHE = 'ioc-shell-' + VERSION;
var PAGE_CACHE = 'ioc-page-' + VERSION;
var SHELL = [
  '/static/css/app.css',
  '/static/css/mobile.css',
  '/static/css/directives.css',
  '/static/js/mobile.js',
  '/static/favicon.svg',
  '/static/icons/ioc-192.png',
  '/static/icons/ioc-512.png'
];
var PHONE_PAGE = '/m';

self.addEventListener('install', function (event) {
  event.waitUntil(
    caches.open(SHELL_CACHE)
      .then(function (cache) { return cache.addAll(SHELL); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener('activate', function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) {
        return n.indexOf('ioc-') === 0 && n !== SHELL_CACHE && n !== PAGE_CACHE;
      }).map(function (n) { return caches.delete(n); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function forgetPage() {
  return caches.delete(PAGE_CACHE);
}

// The shell's static files (nothing else is stored): answer from the cache at once and
// refresh the copy in the background.
function staticFile(request) {
  return caches.open(SHELL_CACHE).then(function (cache) {
    return cache.match(request).then(function (cached) {
      var fresh = fetch(request).then(function (response) {
        if (response.ok && response.type === 'basic') cache.put(request, response.clone());
        return response;
      });
      if (cached) {
        fresh.catch(function () { /* offline: the copy stands */ });
        return cached;
      }
      return fresh;
    });
  });
}

var OFFLINE_PAGE =
  '<!doctype html><html lang="vi"><head><meta charset="utf-8">' +
  '<meta name="viewport" content="width=device-width, initial-scale=1">' +
  '<meta name="theme-color" content="#b3261e"><title>IOC Bộ Nội vụ</title>' +
  '<link rel="stylesheet" href="/static/css/app.css"><link rel="stylesheet" href="/static/css/mobile.css">' +
  '</head><body class="phone"><header class="phone-top"><img src="/static/favicon.svg" alt="" width="36" height="36">' +
  '<div class="phone-title"><strong>IOC Bộ Nội vụ</strong></div></header>' +
  '<p class="phone-status offline" data-offline="true">Ngoại tuyến: chưa có trang lưu trên máy. ' +
  'Hãy mở lại khi có mạng. · Offline: no page saved on this device yet.</p></body></html>';

// The phone page: the network first; its last copy, or a plain offline note, without it.
function phonePage(request) {
  return fetch(request).then(function (response) {
    if (response.ok && !response.redirected && response.type === 'basic') {
      var copy = response.clone();
      caches.open(PAGE_CACHE).then(function (cache) { return cache.put(PHONE_PAGE, copy); });
    } else if (response.redirected) {
      forgetPage();  // sent to the login page: the stored copy belongs to an ended session
    }
    return response;
  }).catch(function () {
    return caches.open(PAGE_CACHE)
      .then(function (cache) { return cache.match(PHONE_PAGE); })
      .then(function (cached) {
        return cached || new Response(OFFLINE_PAGE, {
          status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' }
        });
      });
  });
}

self.addEventListener('fetch', function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === '/logout' || url.pathname === '/login') {
    if (request.method === 'POST') event.waitUntil(forgetPage());
    return;  // the network answers
  }
  if (request.method !== 'GET') return;
  if (SHELL.indexOf(url.pathname) >= 0) {
    event.respondWith(staticFile(request));
    return;
  }
  if (url.pathname === PHONE_PAGE && request.mode === 'navigate') {
    event.respondWith(phonePage(request));
  }
  // Everything else (the API above all) is left to the network, never stored.
});
