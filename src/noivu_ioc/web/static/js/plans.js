// Emergency plans: the activation dialog (list and plan pages) and the command view of a run,
// which redraws on every task, plan or incident event of the live stream and polls slowly in
// case the stream is down. Text is always set as text (IOC.h), never parsed as HTML.
(function () {
  'use strict';
  var h = window.IOC.h;
  var TZ = 'Asia/Ho_Chi_Minh';
  var POLL_MS = 30000;
  var config = JSON.parse(document.getElementById('plans-config').textContent);
  var M = config.messages;
  var lang = config.lang;

  function msg(key) { return M[key] || key; }

  function post(url, body) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error((data.error && data.error.message) || response.statusText);
        return data;
      });
    });
  }

  // dd/mm hh:mm in Vietnam's time, whatever the browser's zone and locale
  var clock = new Intl.DateTimeFormat('en-GB', {
    timeZone: TZ, hour: '2-digit', minute: '2-digit', day: '2-digit', month: '2-digit', hourCycle: 'h23'
  });
  function format(date) {
    var p = {};
    clock.formatToParts(date).forEach(function (part) { p[part.type] = part.value; });
    return p.day + '/' + p.month + ' ' + p.hour + ':' + p.minute;
  }
  function when(iso) { return iso ? format(new Date(iso)) : '–'; }

  function pad(n) { return n < 10 ? '0' + n : String(n); }
  function duration(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var d = Math.floor(s / 86400);
    var rest = pad(Math.floor(s % 86400 / 3600)) + ':' + pad(Math.floor(s % 3600 / 60)) + ':' + pad(s % 60);
    return (d ? d + ' ' + msg('plans.time.d') + ' ' : '') + rest;
  }

  // A modal dialog holding a form; ``fields`` builds its body, ``submit`` returns a promise.
  function dialog(title, fields, confirmText, submit) {
    var error = h('p', { class: 'error-text', 'data-testid': 'dialog-error', role: 'alert' });
    var confirm = h('button', { type: 'submit', 'data-testid': 'confirm' }, confirmText);
    var cancel = h('button', { type: 'button', class: 'secondary' }, msg('plans.cancel'));
    var form = h('form', { method: 'dialog' }, h('h2', { text: title }), fields.body, error,
      h('div', { class: 'actions' }, confirm, cancel));
    var box = h('dialog', { class: 'plans-dialog', 'data-testid': 'dialog' }, form);
    document.body.appendChild(box);
    cancel.addEventListener('click', function () { box.close(); });
    box.addEventListener('close', function () { box.remove(); });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      confirm.disabled = true;
      error.textContent = '';
      submit().catch(function (e) {
        error.textContent = msg('plans.failed') + e.message;
        confirm.disabled = false;
      });
    });
    if (fields.wire) fields.wire(confirm);
    box.showModal();
    return box;
  }

  function openActivate(button) {
    var slug = button.getAttribute('data-slug');
    var needsArea = button.getAttribute('data-needs-area') === 'true';
    var drill = h('input', { type: 'checkbox', name: 'drill', 'data-testid': 'drill' });
    var area = h('select', { name: 'area', 'data-testid': 'area' });
    if (config.national && !needsArea) area.appendChild(h('option', { value: '' }, msg('plans.nationwide')));
    config.areas.forEach(function (a) { area.appendChild(h('option', { value: a[0] }, a[1])); });
    var note = h('textarea', { name: 'note', rows: '2', maxlength: '2000' });
    var banner = h('p', { class: 'drill-banner', hidden: true }, msg('plans.drill_banner'));
    var body = h('div', { class: 'dialog-body' },
      h('p', null, h('strong', { text: button.getAttribute('data-title') })),
      h('p', { class: 'muted small', text: msg('plans.confirm_text') }),
      banner,
      h('label', { class: 'check' }, drill, msg('plans.drill_check')),
      h('label', { class: 'block' }, msg('plans.area'), area),
      h('label', { class: 'block' }, msg('plans.note'), note));
    dialog(msg('plans.confirm_title'), {
      body: body,
      wire: function (confirm) {
        drill.addEventListener('change', function () {
          banner.hidden = !drill.checked;
          confirm.textContent = msg(drill.checked ? 'plans.confirm_drill' : 'plans.confirm_real');
          confirm.classList.toggle('is-drill', drill.checked);
        });
      }
    }, msg('plans.confirm_real'), function () {
      return post('/api/plans/' + encodeURIComponent(slug) + '/activate', {
        drill: drill.checked, area: area.value || null, note: note.value
      }).then(function (run) { window.location.assign(run.url); });
    });
  }

  document.querySelectorAll('button.activate').forEach(function (button) {
    button.addEventListener('click', function () { openActivate(button); });
  });

  // The command view -------------------------------------------------------------------

  var root = document.getElementById('command');
  if (!root) return;
  var run = JSON.parse(document.getElementById('run-data').textContent);
  var filter = 'all';

  function text(obj, key) { return lang === 'vi' ? obj[key + '_vi'] : obj[key + '_en']; }

  function tile(u) {
    var state = u.overdue ? 'overdue' : u.state;
    var due = u.state === 'done' ? when(u.done_at) : when(u.due_at);
    return h('article', {
      class: 'tile st-' + u.state + (u.overdue ? ' is-overdue' : ''),
      'data-testid': 'tile', 'data-unit': u.unit, 'data-state': state, title: u.unit
    },
      h('header', null, h('strong', { text: text(u, 'unit_name') })),
      h('p', { class: 'task', text: text(u, 'title') }),
      h('div', { class: 'meter' }, h('span', { style: 'width:' + u.progress + '%' })),
      h('p', { class: 'meta' },
        h('span', { class: 'pct', text: u.progress + '%' }),
        h('span', { class: 'state', text: msg('plans.state.' + state) })),
      h('p', { class: 'due', text: (u.state === 'done' ? '✓ ' : msg('plans.due') + ' ') + due }),
      u.last_comment ? h('p', { class: 'last', text: '“' + u.last_comment.body + '”' }) : null);
  }

  function shown(u) {
    if (filter === 'overdue') return u.overdue;
    if (filter === 'open') return u.state !== 'done' && u.state !== 'cancelled';
    return true;
  }

  function draw() {
    Object.keys(run.totals).forEach(function (k) {
      var el = root.querySelector('[data-count="' + k + '"]');
      if (el) el.textContent = run.totals[k];
    });
    var bar = root.querySelector('.progress');
    bar.setAttribute('aria-valuenow', run.totals.progress);
    bar.querySelector('.bar').style.width = run.totals.progress + '%';
    bar.querySelector('.pct').textContent = run.totals.progress + '%';
    var tiles = document.getElementById('tiles');
    tiles.replaceChildren.apply(tiles, run.units.filter(shown).map(tile));
    var comments = document.getElementById('comments');
    var units = {};
    run.units.forEach(function (u) { units[u.unit] = u; });
    var items = run.comments.map(function (c) {
      var u = units[c.unit];
      return h('li', { 'data-testid': 'comment' },
        h('time', { text: when(c.at) }), ' ',
        h('strong', { text: u ? text(u, 'unit_name') : c.unit }),
        c.progress === null ? null : h('span', { class: 'badge', text: c.progress + '%' }),
        h('span', { class: 'block', text: c.body }),
        h('span', { class: 'muted small', text: c.author }));
    });
    if (!items.length) items = [h('li', { class: 'muted', text: msg('plans.no_comments') })];
    comments.replaceChildren.apply(comments, items);
    var state = root.querySelector('[data-testid="run-state"]');
    state.textContent = msg('plans.run.' + run.state);
    if (run.state !== 'active') {
      var close = document.getElementById('close-run');
      if (close) close.remove();
    }
    document.getElementById('updated').textContent = format(new Date());
    tick();
  }

  function tick() {
    var start = Date.parse(run.activated_at);
    var end = run.closed_at ? Date.parse(run.closed_at) : Date.now();
    document.getElementById('elapsed').textContent = duration((end - start) / 1000);
  }

  var loading = null;
  function refresh() {
    if (loading) return loading;
    loading = fetch('/api/plan-runs/' + run.id, {
      credentials: 'same-origin', headers: { Accept: 'application/json' }, cache: 'no-store'
    }).then(function (response) {
      if (!response.ok) throw new Error(response.statusText);
      return response.json();
    }).then(function (fresh) { run = fresh; draw(); })
      .catch(function () { /* the next event or poll tries again */ })
      .then(function () { loading = null; });
    return loading;
  }

  var pending = null;
  function refreshSoon() {
    clearTimeout(pending);
    pending = setTimeout(refresh, 250); // a burst of events (a replay) is one fetch
  }

  var live = document.getElementById('live');
  function setLive(value) {
    live.setAttribute('data-live', value);
    live.textContent = value === 'open' ? msg('plans.live.open') : value === 'lost' ? msg('plans.live.lost') : '';
  }
  var retry = null;
  function connect() {
    if (!window.EventSource) return;
    var source = new EventSource('/api/live');
    source.addEventListener('open', function () { setLive('open'); });
    source.addEventListener('alert', function (ev) {
      var event;
      try { event = JSON.parse(ev.data); } catch (e) { return; }
      if (/^(task|plan|incident)\./.test(event.kind || '')) refreshSoon();
    });
    source.addEventListener('error', function () {
      setLive('lost');
      if (source.readyState === EventSource.CLOSED) {
        clearTimeout(retry);
        retry = setTimeout(connect, 10000);
      }
    });
  }

  root.querySelectorAll('[data-filter]').forEach(function (chip) {
    chip.addEventListener('click', function () {
      filter = chip.getAttribute('data-filter');
      root.querySelectorAll('[data-filter]').forEach(function (c) {
        c.setAttribute('aria-pressed', String(c === chip));
      });
      draw();
    });
  });

  var closeButton = document.getElementById('close-run');
  if (closeButton) {
    closeButton.addEventListener('click', function () {
      var note = h('textarea', { name: 'evaluation', rows: '3', maxlength: '4000', required: true, 'data-testid': 'evaluation' });
      dialog(msg('plans.close'), {
        body: h('div', { class: 'dialog-body' },
          h('p', { class: 'muted small', text: msg('plans.close_text') }),
          h('label', { class: 'block' }, msg('plans.evaluation'), note))
      }, msg('plans.close'), function () {
        return post('/api/plan-runs/' + run.id + '/close', { evaluation: note.value }).then(function (fresh) {
          run = fresh;
          draw();
          document.querySelector('dialog.plans-dialog').close();
        });
      });
    });
  }

  document.getElementById('activated-at').textContent = when(run.activated_at);
  draw();
  setInterval(tick, 1000);
  setInterval(refresh, POLL_MS);
  document.addEventListener('visibilitychange', function () { if (!document.hidden) refresh(); });
  connect();
})();
