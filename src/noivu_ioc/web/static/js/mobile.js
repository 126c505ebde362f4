// The leader's phone: the headline tiles, what needs a decision, the directives not yet
// acknowledged (with the button of the user's own unit) and the latest alerts, from
// /api/mobile and then live from /api/live. The last figures are kept on the device for this
// user only, so that the page still shows them, marked offline, when the network is gone.
(function () {
  'use strict';

  var config = JSON.parse(document.getElementById('mobile-config').textContent);
  var msgs = config.msgs;
  var lang = document.documentElement.lang === 'en' ? 'en' : 'vi';
  var locale = lang === 'en' ? 'en-GB' : 'vi-VN';  // numbers: 1.234,5 in Vietnamese
  var STORE_PREFIX = 'ioc.mobile.v1.';
  var storeKey = STORE_PREFIX + config.user + '.' + config.place;
  var MAX_ALERTS = 20;
  var SERIOUS = { critical: true, major: true };

  var cardsEl = document.querySelector('[data-testid=mobile-cards]');
  var decisionsEl = document.querySelector('[data-testid=decisions]');
  var alertsEl = document.querySelector('[data-testid=alerts]');
  var directivesEl = document.querySelector('[data-testid=directives-pending]');
  var UNITS_NAMED = 8;
  var statusEl = document.getElementById('status');
  var liveEl = document.getElementById('live');

  var alerts = {};  // id -> alert
  var decisions = [];

  // Times in Vietnam's zone, written "14:05 04/12" whatever the device's own zone
  var clock = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', day: '2-digit',
    month: '2-digit', hour12: false
  });
  var time = {
    format: function (date) {
      var p = {};
      clock.formatToParts(date).forEach(function (part) { p[part.type] = part.value; });
      return p.hour + ':' + p.minute + ' ' + p.day + '/' + p.month;
    }
  };

  function number(v, decimals) {
    return new Intl.NumberFormat(locale, {
      minimumFractionDigits: decimals, maximumFractionDigits: decimals
    }).format(v);
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function light(status) {
    var key = status || 'none';
    var s = el('span', 'light light-' + key);
    s.appendChild(el('span', 'shape')).setAttribute('aria-hidden', 'true');
    s.appendChild(document.createTextNode(msgs['status_' + key]));
    return s;
  }

  // Other users' figures never stay on a shared device
  function forgetOthers() {
    try {
      var mine = STORE_PREFIX + config.user + '.';
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var k = localStorage.key(i);
        if (k && k.indexOf(STORE_PREFIX) === 0 && k.indexOf(mine) !== 0) localStorage.removeItem(k);
      }
    } catch (e) { /* storage may be disabled */ }
  }

  function save(data) {
    try { localStorage.setItem(storeKey, JSON.stringify({ at: new Date().toISOString(), data: data })); }
    catch (e) { /* full or disabled: the page works without */ }
  }

  function saved() {
    try { return JSON.parse(localStorage.getItem(storeKey) || 'null'); } catch (e) { return null; }
  }

  function card(c) {
    var li = el('li');
    var a = el('a', 'm-card');
    a.href = '/indicators/' + encodeURIComponent(c.id) + '?place=' + encodeURIComponent(c.place);
    a.setAttribute('data-testid', 'mobile-card');
    a.dataset.status = c.status || 'none';
    a.dataset.id = c.id;
    a.appendChild(el('span', 'm-name', c.name));
    var fig = el('span', 'm-figure');
    if (c.value === null || c.value === undefined) {
      fig.appendChild(el('span', 'nodata', msgs.no_data));
    } else {
      fig.appendChild(el('span', 'm-value', number(c.value, c.decimals)));
      if (c.unit_label) fig.appendChild(el('span', 'm-unit', c.unit_label));
    }
    a.appendChild(fig);
    var foot = el('span', 'm-foot');
    foot.appendChild(light(c.status));
    if (c.change !== null && c.change !== undefined) {
      var up = c.change > 0, down = c.change < 0;
      var unit = c.unit === 'percent' ? msgs.pp : c.unit_label;
      var text = (up ? '▲ +' : down ? '▼ −' : '■ ±') + number(Math.abs(c.change), c.decimals) +
        (unit ? ' ' + unit : '');
      var ch = el('span', 'change ' + (up ? 'up' : down ? 'down' : 'flat'), text);
      ch.title = msgs.vs.replace('{y}', c.period - 1);
      foot.appendChild(ch);
    } else if (c.period !== null && c.period !== undefined) {
      foot.appendChild(el('span', 'm-period', msgs.year.replace('{y}', c.period)));
    }
    a.appendChild(foot);
    li.appendChild(a);
    return li;
  }

  function renderCards(cards) {
    cardsEl.innerHTML = '';
    cards.forEach(function (c) { cardsEl.appendChild(card(c)); });
    if (!cards.length) cardsEl.appendChild(el('li', 'empty', msgs.no_data));
  }

  function renderDecisions() {
    decisionsEl.innerHTML = '';
    if (!decisions.length) {
      decisionsEl.appendChild(el('li', 'empty', msgs.no_decisions));
      return;
    }
    decisions.forEach(function (d) {
      var li = el('li', 'm-item');
      li.setAttribute('data-testid', 'decision');
      li.dataset.kind = d.kind;
      var body = d.kind === 'indicator' ? el('a', 'm-row') : el('div', 'm-row');
      if (d.kind === 'indicator') {
        body.href = '/indicators/' + encodeURIComponent(d.id) + '?place=' + encodeURIComponent(config.place);
      }
      var tag = d.kind === 'indicator' ? light(d.status)
        : el('span', 'badge sev-' + d.status, msgs['sev_' + d.status] || d.status);
      body.appendChild(tag);
      var text = el('span', 'm-text');
      text.appendChild(el('small', null, d.kind === 'indicator' ? msgs.kind_indicator : msgs.kind_alert));
      text.appendChild(el('span', null, d.title));
      body.appendChild(text);
      li.appendChild(body);
      decisionsEl.appendChild(li);
    });
  }

  function renderAlerts() {
    var list = Object.keys(alerts).map(function (k) { return alerts[k]; })
      .sort(function (a, b) { return b.id - a.id; }).slice(0, MAX_ALERTS);
    alertsEl.innerHTML = '';
    if (!list.length) {
      alertsEl.appendChild(el('li', 'empty', msgs.no_alerts));
      return;
    }
    list.forEach(function (a) {
      var li = el('li', 'm-item m-alert');
      li.setAttribute('data-testid', 'alert-item');
      li.dataset.id = a.id;
      li.dataset.severity = a.severity;
      var head = el('div', 'm-alert-head');
      var when = el('time', null, time.format(new Date(a.at)));
      when.dateTime = a.at;
      head.appendChild(when);
      head.appendChild(el('span', 'badge sev-' + a.severity, msgs['sev_' + a.severity] || a.severity));
      head.appendChild(el('span', 'm-kind', config.kinds[a.kind] || a.kind));
      li.appendChild(head);
      li.appendChild(el('p', 'm-message', a.message));
      if (a.subject) li.appendChild(el('small', 'm-subject', a.subject));
      alertsEl.appendChild(li);
    });
  }

  function sevBadge(severity) {
    return el('span', 'badge sev-' + severity, msgs['sev_' + severity] || severity);
  }

  function directiveHead(d) {
    var head = el('div', 'm-dir-head');
    head.appendChild(sevBadge(d.severity));
    var a = el('a', 'm-dir-title', d.title);
    a.href = '/directives/' + d.id;
    var item = el('div');
    item.appendChild(head);
    item.appendChild(a);
    return item;
  }

  function acknowledge(d, button, note) {
    button.disabled = true;
    fetch('/api/directives/' + d.id + '/acknowledge', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ unit: d.unit })
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (!r.ok) throw new Error((body.error && body.error.message) || ('HTTP ' + r.status));
        note.textContent = msgs.dir_done;
        load();
      });
    }).catch(function (err) {
      note.textContent = msgs.dir_failed + ' ' + err.message;
      button.disabled = false;
    });
  }

  // Directives: the user's own unit first (with its button), then, for national viewers,
  // every open directive with the units still silent.
  function renderDirectives(data) {
    directivesEl.innerHTML = '';
    var mine = (data && data.mine) || [];
    var pending = (data && data.pending) || [];
    if (!mine.length && !pending.length) {
      directivesEl.appendChild(el('li', 'empty', msgs.dir_none));
      return;
    }
    mine.forEach(function (d) {
      var li = el('li', 'm-dir mine');
      li.setAttribute('data-testid', 'directive-mine');
      li.dataset.id = d.id;
      li.appendChild(directiveHead(d));
      li.appendChild(el('p', 'm-dir-count', msgs.dir_yours + ' · ' + d.unit_name));
      li.appendChild(el('p', 'm-dir-units', msgs.dir_silent_for.replace('{d}', d.silent_for)));
      if (d.can_acknowledge) {
        var note = el('p', 'm-dir-error');
        note.setAttribute('role', 'status');
        var button = el('button', null, msgs.dir_acknowledge);
        button.type = 'button';
        button.setAttribute('data-testid', 'directive-acknowledge');
        button.addEventListener('click', function () { acknowledge(d, button, note); });
        li.appendChild(button);
        li.appendChild(note);
      }
      directivesEl.appendChild(li);
    });
    pending.forEach(function (d) {
      var li = el('li', 'm-dir');
      li.setAttribute('data-testid', 'directive-pending');
      li.dataset.id = d.id;
      li.appendChild(directiveHead(d));
      li.appendChild(el('p', 'm-dir-count',
        msgs.dir_pending.replace('{n}', number(d.silent, 0)).replace('{total}', number(d.recipients, 0)) +
        ' · ' + msgs.dir_silent_for.replace('{d}', d.silent_for)));
      var shown = d.units.slice(0, UNITS_NAMED);
      var names = shown.join(', ');
      if (d.silent > shown.length) {
        names += ' ' + msgs.dir_more.replace('{n}', number(d.silent - shown.length, 0));
      }
      li.appendChild(el('p', 'm-dir-units', names));
      directivesEl.appendChild(li);
    });
  }

  function addAlert(a) {
    if (alerts[a.id]) return false;
    alerts[a.id] = a;
    var ids = Object.keys(alerts).map(Number).sort(function (x, y) { return y - x; });
    ids.slice(MAX_ALERTS).forEach(function (id) { delete alerts[id]; });
    return true;
  }

  function show(data) {
    renderCards(data.cards || []);
    decisions = (data.decisions || []).slice();
    renderDecisions();
    alerts = {};
    (data.alerts || []).forEach(addAlert);
    renderAlerts();
    renderDirectives(data.directives);
  }

  function setStatus(text, offline) {
    statusEl.textContent = text;
    statusEl.classList.toggle('offline', !!offline);
    statusEl.dataset.offline = offline ? 'true' : 'false';
  }

  function stamp(iso) { return time.format(new Date(iso)); }

  function load() {
    var url = '/api/mobile' + (config.place ? '?place=' + encodeURIComponent(config.place) : '');
    return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' }, cache: 'no-store' })
      .then(function (r) {
        if (r.status === 401) { window.location.href = '/login?next=/m'; throw new Error('login'); }
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      })
      .then(function (data) {
        show(data);
        save(data);
        setStatus(msgs.updated.replace('{t}', stamp(new Date().toISOString())), false);
      })
      .catch(function (err) {
        if (err && err.message === 'login') return;
        var last = saved();
        if (last) {
          show(last.data);
          setStatus(msgs.offline.replace('{t}', stamp(last.at)), true);
        } else {
          setStatus(msgs.offline_none, true);
        }
      });
  }

  var loadTimer = null;
  function loadSoon() {
    clearTimeout(loadTimer);
    loadTimer = setTimeout(load, 500);
  }

  function live() {
    if (!window.EventSource) return;
    var source = new EventSource('/api/live');
    source.addEventListener('open', function () { liveEl.hidden = false; });
    source.addEventListener('error', function () { liveEl.hidden = true; });
    source.addEventListener('alert', function (ev) {
      var a;
      try { a = JSON.parse(ev.data); } catch (e) { return; }
      if (!addAlert(a)) return;
      // a directive's news is shown in its own section, not as a decision
      var directive = typeof a.kind === 'string' && a.kind.indexOf('directive.') === 0;
      if (directive) loadSoon();
      renderAlerts();
      var item = alertsEl.querySelector('[data-id="' + a.id + '"]');
      if (item) item.classList.add('fresh');
      if (SERIOUS[a.severity] && !directive) {
        decisions.push({ kind: 'alert', id: a.id, title: a.message, status: a.severity });
        renderDecisions();
      }
    });
    source.addEventListener('data', function () { load(); });
  }

  function worker() {
    if (!('serviceWorker' in navigator)) return;
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(function () {
      /* without a worker the page still works online */
    });
  }

  forgetOthers();
  window.addEventListener('online', load);
  window.addEventListener('offline', function () {
    var last = saved();
    if (last) setStatus(msgs.offline.replace('{t}', stamp(last.at)), true);
    else setStatus(msgs.offline_none, true);
  });
  load().then(live);
  worker();
})();
