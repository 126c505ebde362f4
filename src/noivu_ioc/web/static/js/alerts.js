// The alerts page (/alerts: the open alerts in scope, kept current from /api/live, with
// acknowledge and resolve) and the rules page (/alerts/rules: the rules with their switch,
// and a form that builds a rule and lets the server check it before it is saved).
(function () {
  'use strict';
  var h = window.IOC.h;

  // An element with a list of children (h takes them one by one).
  function hList(tag, attrs, children) {
    return h.apply(null, [tag, attrs].concat(children));
  }

  function readConfig(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, key) {
      return values[key] === undefined ? all : String(values[key]);
    });
  }

  function send(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        if (!response.ok) {
          var error = new Error((data && data.error && data.error.message) || ('HTTP ' + response.status));
          error.status = response.status;
          throw error;
        }
        return data;
      });
    });
  }

  function localTime(iso, lang) {
    if (!iso) return '';
    return new Date(iso).toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', {
      timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric',
      hour: '2-digit', minute: '2-digit'
    });
  }

  // /alerts ------------------------------------------------------------------------------

  function alertsPage(config) {
    var T = config.texts;
    var list = document.getElementById('alert-list');
    var count = document.getElementById('alert-count');
    var errorEl = document.getElementById('alerts-error');
    var liveEl = document.querySelector('[data-testid=live]');
    var filter = 'open';
    var alerts = [];
    var pending = null;

    function age(iso) {
      var minutes = Math.floor((Date.now() - new Date(iso).getTime()) / 60000);
      if (minutes < 1) return T['alerts.age.now'];
      if (minutes < 60) return fill(T['alerts.age.minutes'], { n: minutes });
      if (minutes < 48 * 60) return fill(T['alerts.age.hours'], { n: Math.floor(minutes / 60) });
      return fill(T['alerts.age.days'], { n: Math.floor(minutes / 1440) });
    }

    function showError(text) {
      errorEl.textContent = text ? T['alerts.failed'] + ': ' + text : '';
      errorEl.hidden = !text;
    }

    function act(alert, action) {
      send('POST', '/api/alerts/' + alert.id + '/' + action).then(function () {
        showError('');
        load();
      }, function (error) { showError(error.message); });
    }

    function card(a) {
      var meta = [
        h('span', { 'data-testid': 'level' }, fill(T['alerts.at_level'], { name: a.level_name })),
        a.state !== 'resolved' ? h('span', { 'data-testid': 'age' }, age(a.opened_at)) : null,
        h('span', { 'data-testid': 'occurrences' }, fill(T['alerts.occurrences'], { n: a.occurrences })),
        a.reminders ? h('span', null, fill(T['alerts.reminders'], { n: a.reminders })) : null,
        h('span', null, fill(T['alerts.opened_at'], { when: localTime(a.opened_at, config.lang) }))
      ];
      var who = [];
      if (a.acknowledged_by) {
        who.push(h('span', null, fill(T['alerts.acknowledged_by'],
          { who: a.acknowledged_by, when: localTime(a.acknowledged_at, config.lang) })));
      }
      if (a.resolved_by) {
        who.push(h('span', null, fill(T['alerts.resolved_by'], {
          who: a.resolved_by === 'auto' ? T['alerts.auto'] : a.resolved_by,
          when: localTime(a.resolved_at, config.lang)
        })));
      }
      var buttons = h('div', { class: 'alert-actions' });
      if (config.can_handle && a.state === 'active') {
        var take = h('button', { type: 'button', 'data-testid': 'acknowledge' }, T['alerts.acknowledge']);
        take.addEventListener('click', function () { take.disabled = true; act(a, 'acknowledge'); });
        buttons.appendChild(take);
      }
      if (config.can_handle && a.state !== 'resolved') {
        var done = h('button', { type: 'button', class: 'secondary', 'data-testid': 'resolve' }, T['alerts.resolve']);
        done.addEventListener('click', function () { done.disabled = true; act(a, 'resolve'); });
        buttons.appendChild(done);
      }
      if (config.can_open_incident && a.state !== 'resolved') {
        buttons.appendChild(h('a', {
          class: 'button ghost', href: '/incidents/new?alert=' + a.id, 'data-testid': 'open-incident'
        }, T['alerts.open_incident']));
      }
      return h('li', {
        class: 'alert-card sev-border-' + a.severity + ' state-' + a.state + (location.hash === '#alert-' + a.id ? ' focused' : ''),
        id: 'alert-' + a.id, 'data-testid': 'alert', 'data-id': a.id, 'data-state': a.state,
        'data-severity': a.severity, 'data-rule': a.rule
      },
        h('div', { class: 'alert-head' },
          h('span', { class: 'badge sev-' + a.severity, 'data-testid': 'severity' }, T['severity.' + a.severity]),
          h('span', { class: 'badge state state-' + a.state, 'data-testid': 'state' }, T['alerts.state.' + a.state]),
          h('strong', { class: 'alert-title' }, a.title)),
        h('p', { class: 'alert-message', 'data-testid': 'message' }, a.message),
        hList('div', { class: 'alert-meta muted small' }, meta.concat(who)),
        buttons.childNodes.length ? buttons : null);
    }

    function render() {
      list.textContent = '';
      alerts.forEach(function (a) { list.appendChild(card(a)); });
      if (!alerts.length) {
        list.appendChild(h('li', { class: 'empty muted', 'data-testid': 'no-alerts' },
          T['alerts.none.' + filter]));
      }
      count.textContent = fill(T['alerts.count'], { n: alerts.length });
    }

    function load() {
      return send('GET', '/api/alerts?limit=200&state=' + filter).then(function (found) {
        alerts = found;
        render();
        var focused = location.hash && document.getElementById(location.hash.slice(1));
        if (focused && focused.scrollIntoView) focused.scrollIntoView({ block: 'center' });
      }, function (error) { showError(error.message); });
    }

    function soon() {
      clearTimeout(pending);
      pending = setTimeout(load, 150); // a burst of events is one fetch
    }

    function setLive(state) {
      liveEl.setAttribute('data-state', state);
      liveEl.textContent = state === 'open' ? T['alerts.live.open'] : state === 'lost' ? T['alerts.live.lost'] : '';
    }

    function connect() {
      if (!window.EventSource) return;
      var source = new EventSource('/api/live');
      source.addEventListener('open', function () { setLive('open'); });
      source.addEventListener('alert', function (ev) {
        var event;
        try { event = JSON.parse(ev.data); } catch (e) { return; }
        if (event.kind && event.kind.indexOf('alert.') === 0) soon();
      });
      source.addEventListener('error', function () {
        setLive('lost');
        if (source.readyState === EventSource.CLOSED) setTimeout(connect, 10000);
      });
    }

    document.querySelectorAll('[data-filter]').forEach(function (button) {
      button.addEventListener('click', function () {
        filter = button.getAttribute('data-filter');
        document.querySelectorAll('[data-filter]').forEach(function (b) {
          b.setAttribute('aria-pressed', b === button ? 'true' : 'false');
        });
        load();
      });
    });
    setInterval(render, 30000); // ages move on
    load();
    connect();
  }

  // /alerts/rules ------------------------------------------------------------------------

  function rulesPage(config) {
    var T = config.texts;
    var form = document.getElementById('rule-form');
    var listEl = document.getElementById('rule-list');
    var statusEl = document.getElementById('rules-status');
    var resultEl = document.getElementById('check-result');
    var titleEl = document.getElementById('form-title');
    var cancelEl = document.getElementById('cancel-edit');
    var indicators = {};
    var editing = null; // the name of the rule in the form, when changing one

    function field(name) { return form.elements.namedItem(name); }
    function value(name) { return field(name).value; }
    function number(name) {
      var text = value(name).trim().replace(',', '.');
      return text === '' ? undefined : Number(text);
    }
    function say(text) { statusEl.textContent = text; }

    function showCheck(lines, refused) {
      resultEl.textContent = '';
      resultEl.hidden = false;
      resultEl.className = 'check-result ' + (refused ? 'refused' : 'accepted');
      lines.forEach(function (line) {
        if (Array.isArray(line)) {
          resultEl.appendChild(hList('ul', null, line.map(function (l) { return h('li', null, l); })));
        } else {
          resultEl.appendChild(h('p', null, line));
        }
      });
    }

    // Which fields show: the kind's fieldset, the condition's settings, the surge window.
    function sync() {
      var kind = value('kind');
      form.querySelectorAll('fieldset[data-kind]').forEach(function (set) {
        set.hidden = set.getAttribute('data-kind') !== kind;
      });
      var condition = value('condition');
      var deviation = value('deviation');
      form.querySelectorAll('[data-when]').forEach(function (el) {
        var shown = el.getAttribute('data-when').split(' ').indexOf(condition) >= 0;
        var dev = el.getAttribute('data-deviation');
        el.hidden = !shown || (dev !== null && dev !== deviation);
      });
      var surge = field('surge').checked;
      form.querySelectorAll('[data-surge]').forEach(function (el) { el.hidden = !surge; });
      form.querySelector('[data-sources]').hidden = field('sources_all').checked;
      var chosen = indicators[value('indicator')];
      var province = field('per').querySelector('option[value=province]');
      province.disabled = !!chosen && chosen.cuts.indexOf('province') < 0;
      if (province.disabled && value('per') === 'province') field('per').value = 'nation';
    }

    function configOf() {
      var kind = value('kind');
      if (kind === 'indicator') {
        var condition = value('condition');
        var c = { indicator: value('indicator'), condition: condition, per: value('per') };
        if (condition === 'change') {
          c.change = value('change');
          c.direction = value('direction');
        } else if (condition === 'seasonal') {
          c.years = number('years');
          c.direction = value('direction');
          if (value('deviation') === 'percent') c.percent = number('percent');
          else c.k = number('k');
        } else if (condition === 'forecast') {
          c.periods = number('periods');
          c.horizon = number('horizon');
          c.direction = value('crossing');
        }
        if (condition !== 'seasonal') c.threshold = number('threshold');
        return c;
      }
      if (kind === 'event') {
        var e = {
          kinds: value('kinds').split(',').map(function (k) { return k.trim(); }).filter(Boolean),
          min_severity: value('min_severity')
        };
        if (field('surge').checked) {
          e.surge = { count: number('surge_count'), minutes: number('surge_minutes'), per: value('surge_per') };
        }
        return e;
      }
      var picked = Array.prototype.filter.call(field('sources').options, function (o) { return o.selected; })
        .map(function (o) { return o.value; });
      return { sources: field('sources_all').checked ? 'all' : picked, grace_minutes: number('grace_minutes') };
    }

    function ruleOf() {
      var rule = {
        name: value('name').trim(),
        title_vi: value('title_vi').trim(),
        title_en: value('title_en').trim(),
        kind: value('kind'),
        severity: value('severity'),
        config: configOf(),
        remind_every_minutes: number('remind_every_minutes'),
        escalate_after_minutes: number('escalate_after_minutes')
      };
      if (rule.escalate_after_minutes === undefined) rule.escalate_after_minutes = null;
      return rule;
    }

    function set(name, v) { if (v !== undefined && v !== null) field(name).value = v; }

    function edit(rule) {
      editing = rule.name;
      form.reset();
      var c = rule.config;
      set('name', rule.name);
      field('name').readOnly = true;
      field('kind').disabled = true;
      set('title_vi', rule.title_vi);
      set('title_en', rule.title_en);
      set('kind', rule.kind);
      set('severity', rule.severity);
      set('escalate_after_minutes', c.escalate_after_minutes);
      set('remind_every_minutes', c.remind_every_minutes);
      if (rule.kind === 'indicator') {
        ['indicator', 'condition', 'per', 'change', 'threshold', 'years', 'k', 'percent', 'periods', 'horizon']
          .forEach(function (k) { set(k, c[k]); });
        if (c.condition === 'forecast') set('crossing', c.direction);
        else set('direction', c.direction);
        set('deviation', c.percent !== undefined ? 'percent' : 'k');
      } else if (rule.kind === 'event') {
        set('kinds', c.kinds.join(', '));
        set('min_severity', c.min_severity);
        field('surge').checked = !!c.surge;
        if (c.surge) {
          set('surge_count', c.surge.count);
          set('surge_minutes', c.surge.minutes);
          set('surge_per', c.surge.per);
        }
      } else {
        field('sources_all').checked = c.sources === 'all';
        Array.prototype.forEach.call(field('sources').options, function (o) {
          o.selected = c.sources !== 'all' && c.sources.indexOf(o.value) >= 0;
        });
        set('grace_minutes', c.grace_minutes);
      }
      titleEl.textContent = fill(T['rules.editing'], { name: rule.name });
      cancelEl.hidden = false;
      resultEl.hidden = true;
      sync();
      form.scrollIntoView({ block: 'start' });
    }

    function stopEditing() {
      editing = null;
      form.reset();
      field('name').readOnly = false;
      field('kind').disabled = false;
      titleEl.textContent = T['rules.new'];
      cancelEl.hidden = true;
      sync();
    }

    function summary(rule) {
      var c = rule.config;
      var parts = [T['rules.kind.' + rule.kind]];
      if (rule.kind === 'indicator') {
        var ind = indicators[c.indicator];
        parts.push(ind ? ind.name : c.indicator, T['rules.condition.' + c.condition], T['rules.per.' + c.per]);
        if (c.threshold !== undefined) parts.push(T['rules.threshold'] + ' ' + c.threshold);
      } else if (rule.kind === 'event') {
        parts.push(c.kinds.join(', '));
        if (c.surge) parts.push('≥ ' + c.surge.count + ' / ' + c.surge.minutes + "'");
      } else {
        parts.push(c.sources === 'all' ? T['rules.sources_all'] : c.sources.join(', '));
      }
      return parts.join(' · ');
    }

    function remove(rule) {
      if (!window.confirm(fill(T['rules.confirm_delete'], { name: rule.name }))) return;
      var url = '/api/alert-rules/' + encodeURIComponent(rule.name);
      send('DELETE', url).catch(function (error) {
        if (error.status === 409 && rule.open_alerts &&
            window.confirm(fill(T['rules.confirm_force'], { name: error.message }))) {
          return send('DELETE', url + '?force=true');
        }
        throw error;
      }).then(function (done) {
        if (done) say(fill(T['rules.deleted'], { name: rule.name }));
        if (editing === rule.name) stopEditing();
        loadRules();
      }, function (error) { say(T['rules.refused'] + ' ' + error.message); });
    }

    function row(rule) {
      var toggle = h('button', { type: 'button', class: 'secondary', 'data-testid': 'toggle' },
        rule.enabled ? T['rules.disable'] : T['rules.enable']);
      toggle.addEventListener('click', function () {
        toggle.disabled = true;
        send('PATCH', '/api/alert-rules/' + encodeURIComponent(rule.name), { enabled: !rule.enabled })
          .then(loadRules, function (error) { say(T['rules.refused'] + ' ' + error.message); loadRules(); });
      });
      var change = h('button', { type: 'button', class: 'secondary', 'data-testid': 'edit' }, T['rules.edit']);
      change.addEventListener('click', function () { edit(rule); });
      var del = h('button', { type: 'button', class: 'danger', 'data-testid': 'delete' }, T['rules.delete']);
      del.addEventListener('click', function () { remove(rule); });
      return h('li', { class: 'rule-row' + (rule.enabled ? '' : ' off'), 'data-testid': 'rule', 'data-name': rule.name },
        h('div', { class: 'rule-head' },
          h('span', { class: 'badge sev-' + rule.severity }, T['severity.' + rule.severity]),
          h('span', { class: 'badge ' + (rule.enabled ? 'on' : 'off'), 'data-testid': 'enabled' },
            rule.enabled ? T['rules.enabled'] : T['rules.disabled']),
          h('strong', null, config.lang === 'vi' ? rule.title_vi : rule.title_en)),
        h('p', { class: 'muted small' }, rule.name + ' · ' + summary(rule)),
        rule.open_alerts ? h('p', { class: 'small' }, h('a', { href: '/alerts' },
          fill(T['rules.open_alerts'], { n: rule.open_alerts }))) : null,
        h('div', { class: 'rule-actions' }, toggle, change, del));
    }

    function loadRules() {
      return send('GET', '/api/alert-rules').then(function (rules) {
        listEl.textContent = '';
        rules.forEach(function (r) { listEl.appendChild(row(r)); });
        if (!rules.length) listEl.appendChild(h('li', { class: 'muted' }, T['rules.none']));
      });
    }

    function loadIndicators() {
      return send('GET', '/api/indicators').then(function (found) {
        var select = field('indicator');
        var groups = {};
        found.forEach(function (i) {
          indicators[i.id] = i;
          if (!groups[i.domain]) {
            groups[i.domain] = h('optgroup', { label: i.domain_number + '. ' + i.domain_name });
            select.appendChild(groups[i.domain]);
          }
          groups[i.domain].appendChild(h('option', { value: i.id, 'data-periods': i.has_period ? 'yes' : 'no' },
            i.name + (i.unit_label ? ' (' + i.unit_label + ')' : '')));
        });
        sync();
      });
    }

    function loadSources() {
      // Operators see the sources of their scope; a refusal leaves "all sources" only.
      return send('GET', '/api/sources').then(function (found) {
        var select = field('sources');
        found.forEach(function (s) {
          var source = s.source || s;
          if (!source.freshness_minutes) return; // without an agreed interval it cannot be late
          select.appendChild(h('option', { value: source.name }, source.label + ' (' + source.name + ')'));
        });
      }, function () { return null; });
    }

    function check() {
      var rule = ruleOf();
      var url = '/api/alert-rules/check' + (editing ? '?editing=' + encodeURIComponent(editing) : '');
      send('POST', url, rule).then(function (found) {
        var lines = [T['rules.check_ok']];
        if (found.breaches.length) {
          lines.push(fill(T['rules.would_raise'], { n: found.breaches.length }), found.breaches);
        } else if (rule.kind !== 'event' || rule.config.surge) {
          lines.push(T['rules.would_raise_none']);
        }
        if (found.notes.length) lines.push(T['rules.notes'], found.notes);
        showCheck(lines, false);
      }, function (error) { showCheck([T['rules.refused'], error.message], true); });
    }

    function save(ev) {
      ev.preventDefault();
      var rule = ruleOf();
      var done = editing
        ? send('PATCH', '/api/alert-rules/' + encodeURIComponent(editing), {
          title_vi: rule.title_vi, title_en: rule.title_en, severity: rule.severity,
          config: rule.config, escalate_after_minutes: rule.escalate_after_minutes,
          remind_every_minutes: rule.remind_every_minutes
        })
        : send('POST', '/api/alert-rules', rule);
      done.then(function (saved) {
        showCheck([fill(T['rules.saved'], { name: saved.name })], false);
        say(fill(T['rules.saved'], { name: saved.name }));
        stopEditing();
        loadRules();
      }, function (error) { showCheck([T['rules.refused'], error.message], true); });
    }

    form.addEventListener('change', sync);
    form.addEventListener('submit', save);
    document.getElementById('check').addEventListener('click', check);
    cancelEl.addEventListener('click', stopEditing);
    document.getElementById('evaluate').addEventListener('click', function () {
      send('POST', '/api/alert-rules/evaluate').then(function (r) {
        say(fill(T['rules.evaluated'], {
          n: r.rules, opened: r.opened, repeated: r.repeated, resolved: r.resolved, failed: r.failed.length
        }));
        loadRules();
      }, function (error) { say(T['rules.refused'] + ' ' + error.message); });
    });
    sync();
    Promise.all([loadIndicators(), loadSources()]).then(loadRules, function (error) {
      say(T['rules.refused'] + ' ' + error.message);
    });
  }

  function start() {
    var alertsConfig = readConfig('alerts-config');
    if (alertsConfig) alertsPage(alertsConfig);
    var rulesConfig = readConfig('rules-config');
    if (rulesConfig) rulesPage(rulesConfig);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
