// Directives: the leader's form to issue one, the acknowledge and report buttons of the
// user's own unit, and live updates. The pages are drawn by the server; on a directive.*
// event from /api/live the script fetches the same page again and swaps its live region,
// so there is one way to draw them. A report being typed is never overwritten.
(function () {
  'use strict';

  var config = JSON.parse(document.getElementById('directives-config').textContent);
  var msgs = config.msgs;
  var region = document.getElementById('dir-region');
  var liveEl = document.getElementById('dir-live');
  var REFRESH_MS = 60000;  // the minutes of silence move on even without events

  function say(el, text, ok) {
    if (!el) return;
    el.textContent = text || '';
    el.hidden = !text;
    el.classList.toggle('ok-box', !!ok);
    el.classList.toggle('alert', !ok);
  }

  function post(url, body) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      if (response.status === 401) {
        window.location.href = '/login?next=' + encodeURIComponent(window.location.pathname);
        throw new Error(msgs.unreachable);
      }
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          throw new Error((data && data.error && data.error.message) || ('HTTP ' + response.status));
        }
        return data;
      });
    }, function () {
      throw new Error(msgs.unreachable);
    });
  }

  // The live region ---------------------------------------------------------------------

  function typing() {
    return !!(region && region.querySelector('textarea[data-dirty]'));
  }

  var pending = null;
  function refresh() {
    if (!region || typing()) return;
    fetch(window.location.pathname + window.location.search, {
      credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'text/html' }
    }).then(function (response) {
      if (!response.ok) throw new Error('HTTP ' + response.status);
      return response.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('dir-region');
      if (fresh && !typing()) region.innerHTML = fresh.innerHTML;
    }).catch(function () { /* the next event or the timer tries again */ });
  }

  function soon() {
    clearTimeout(pending);
    pending = setTimeout(refresh, 300);
  }

  function live() {
    if (!window.EventSource) return;
    var source = new EventSource('/api/live');
    source.addEventListener('open', function () { if (liveEl) liveEl.hidden = false; });
    source.addEventListener('error', function () { if (liveEl) liveEl.hidden = true; });
    source.addEventListener('alert', function (ev) {
      var e;
      try { e = JSON.parse(ev.data); } catch (err) { return; }
      if (!e || typeof e.kind !== 'string' || e.kind.indexOf('directive.') !== 0) return;
      if (e.id <= config.latest_event) return;  // drawn already: the replay on connecting
      if (config.directive && e.subject !== 'directive:' + config.directive) return;
      soon();
    });
  }

  // Acknowledge, report, close ------------------------------------------------------------

  var actionMessage = document.querySelector('[data-testid=action-message]');

  function act(url, body, done, button) {
    if (button) button.disabled = true;
    return post(url, body).then(function () {
      say(actionMessage, done, true);
      refresh();
    }, function (error) {
      say(actionMessage, msgs.failed + ' ' + error.message, false);
      if (button) button.disabled = false;
    });
  }

  document.addEventListener('click', function (ev) {
    var button = ev.target.closest && ev.target.closest('button[data-action]');
    if (!button) return;
    var id = button.getAttribute('data-directive');
    var action = button.getAttribute('data-action');
    if (action === 'acknowledge') {
      act('/api/directives/' + id + '/acknowledge', { unit: button.getAttribute('data-unit') },
        msgs.done_acknowledge, button);
    } else if (action === 'close') {
      if (!window.confirm(button.getAttribute('data-confirm'))) return;
      act('/api/directives/' + id + '/close', {}, msgs.done_close, button);
    }
  });

  document.addEventListener('input', function (ev) {
    if (ev.target.matches && ev.target.matches('form.dir-report textarea')) {
      ev.target.setAttribute('data-dirty', 'true');
    }
  });

  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!form.classList || !form.classList.contains('dir-report')) return;
    ev.preventDefault();
    var text = form.querySelector('textarea');
    var button = form.querySelector('button[type=submit]');
    text.removeAttribute('data-dirty');
    act('/api/directives/' + form.getAttribute('data-directive') + '/report',
      { unit: form.getAttribute('data-unit'), text: text.value }, msgs.done_report, button)
      .then(function () { if (button) button.disabled = false; });
  });

  // Issuing ------------------------------------------------------------------------------

  var issueForm = document.getElementById('directive-form');

  function wireIssueForm(form) {
    var all = document.getElementById('all-provinces');
    var boxes = form.querySelectorAll('input[name=unit]');
    var provinces = form.querySelectorAll('input[name=unit][data-group=province]');
    var chosenEl = document.getElementById('units-chosen');
    var messageEl = form.querySelector('[data-testid=form-message]');

    function others() {
      return (form.elements.other_units.value || '').split(/[\s,;]+/).filter(Boolean);
    }

    function units() {
      var everyProvince = all && all.checked;
      var codes = everyProvince ? ['SNV.*'] : [];
      boxes.forEach(function (box) {
        if (!box.checked || (everyProvince && box.getAttribute('data-group') === 'province')) return;
        codes.push(box.value);
      });
      return codes.concat(others());
    }

    function count() {
      var n = 0;
      boxes.forEach(function (box) { if (box.checked) n += 1; });
      if (all && all.checked) n = Math.max(n, provinces.length);
      chosenEl.textContent = msgs.chosen.replace('{n}', String(n + others().length));
    }

    if (all) {
      all.addEventListener('change', function () {
        provinces.forEach(function (box) { box.checked = all.checked; });
        count();
      });
    }
    provinces.forEach(function (box) {
      box.addEventListener('change', function () {
        if (all && !box.checked) all.checked = false;
        count();
      });
    });
    form.addEventListener('change', count);
    form.elements.other_units.addEventListener('input', count);
    count();

    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var codes = units();
      if (!codes.length) {
        say(messageEl, msgs.no_units, false);
        return;
      }
      var due = form.elements.report_due_at.value;  // local Vietnam time, "2026-05-01T17:00"
      var button = form.querySelector('button[type=submit]');
      button.disabled = true;
      post('/api/directives', {
        title: form.elements.title.value,
        body: form.elements.body.value,
        severity: form.elements.severity.value,
        units: codes,
        ack_minutes: parseInt(form.elements.ack_minutes.value, 10) || 60,
        report_due_at: due ? due.slice(0, 16) + ':00+07:00' : null
      }).then(function (made) {
        window.location.href = '/directives/' + made.id;
      }, function (error) {
        say(messageEl, msgs.failed + ' ' + error.message, false);
        button.disabled = false;
      });
    });
  }

  if (issueForm) wireIssueForm(issueForm);
  live();
  setInterval(refresh, REFRESH_MS);
})();
