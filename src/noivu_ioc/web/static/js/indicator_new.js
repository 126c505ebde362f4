// The new-indicator page: check a TOML definition on the server (which computes it at the
// analyst's own place), save it and open its page; the help lists the data dictionary's
// entities and fields, fetched from /api/catalog.
(function () {
  'use strict';

  var form = document.getElementById('new-indicator');
  if (!form) return;
  var msgs = JSON.parse(document.getElementById('new-msgs').textContent);
  var lang = document.documentElement.lang === 'en' ? 'en' : 'vi';
  var locale = lang === 'en' ? 'en-GB' : 'vi-VN';
  var text = document.getElementById('definition');
  var result = document.getElementById('result');
  var checkButton = document.getElementById('check');
  var saveButton = document.getElementById('save');

  function el(tag, cls, content) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (content !== undefined && content !== null) e.textContent = content;
    return e;
  }

  function number(v, decimals) {
    return new Intl.NumberFormat(locale, {
      minimumFractionDigits: decimals, maximumFractionDigits: decimals
    }).format(v);
  }

  function busy(on) {
    checkButton.disabled = on;
    saveButton.disabled = on;
    if (on) {
      result.innerHTML = '';
      result.appendChild(el('p', 'muted', msgs.working));
    }
  }

  // The server's error envelope {"error": {status, code, message, request_id}}, or whatever
  // came back when it is not JSON.
  function send(url) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ toml: text.value })
    }).then(function (r) {
      return r.text().then(function (body) {
        var data = null;
        try { data = JSON.parse(body); } catch (e) { data = null; }
        if (!r.ok) {
          var message = data && data.error ? data.error.message : (r.status + ' ' + r.statusText);
          var err = new Error(message);
          err.status = r.status;
          throw err;
        }
        return data;
      });
    });
  }

  function showError(err) {
    result.innerHTML = '';
    var box = el('div', 'alert');
    box.setAttribute('role', 'alert');
    box.setAttribute('data-testid', 'check-error');
    box.appendChild(el('strong', null, msgs.refused));
    box.appendChild(el('p', 'message', err.message));
    result.appendChild(box);
  }

  function showReading(data) {
    var reading = data.reading;
    var def = data.definition;
    result.innerHTML = '';
    var box = el('div', 'ok-box');
    box.setAttribute('data-testid', 'check-ok');
    box.appendChild(el('strong', null, msgs.valid + ' ' + def.name));
    var line = el('p');
    line.appendChild(document.createTextNode(
      msgs.value_at.replace('{place}', form.dataset.rootLabel) + ' '));
    if (reading.value === null || reading.value === undefined) {
      line.appendChild(el('span', 'figure', msgs.no_data));
      if (reading.reason) line.appendChild(el('span', 'reason', reading.reason));
    } else {
      var fig = el('span', 'figure', number(reading.value, reading.decimals) +
        (reading.unit_label ? ' ' + reading.unit_label : ''));
      fig.setAttribute('data-testid', 'check-value');
      line.appendChild(fig);
      if (reading.period) line.appendChild(document.createTextNode(' (' + reading.period + ')'));
    }
    box.appendChild(line);
    var status = reading.status || 'none';
    var light = el('span', 'light light-' + status);
    light.appendChild(el('span', 'shape')).setAttribute('aria-hidden', 'true');
    light.appendChild(document.createTextNode(msgs['status_' + status]));
    box.appendChild(light);
    if (def.cuts && def.cuts.length) {
      box.appendChild(el('p', 'muted small', msgs.cut_by + ': ' + def.cuts.join(', ')));
    }
    result.appendChild(box);
  }

  checkButton.addEventListener('click', function () {
    busy(true);
    send('/api/indicators/check').then(showReading).catch(showError).then(function () { busy(false); });
  });

  saveButton.addEventListener('click', function () {
    busy(true);
    send('/api/indicators').then(function (def) {
      result.innerHTML = '';
      result.appendChild(el('p', 'ok-box', msgs.saved));
      window.location.href = '/indicators/' + encodeURIComponent(def.id);
    }).catch(function (err) {
      showError(err);
      busy(false);
    });
  });

  // The help: every entity with its fields; a code field lists its codes.
  function entities(catalog) {
    var holder = document.getElementById('entities');
    var lists = {};
    catalog.codelists.forEach(function (c) { lists[c.id] = c; });
    holder.innerHTML = '';
    catalog.sectors.forEach(function (sector) {
      sector.entities.forEach(function (entity) {
        var d = el('details');
        d.dataset.entity = entity.id;
        var s = el('summary');
        s.appendChild(el('code', null, entity.id));
        s.appendChild(el('small', null, (lang === 'en' ? entity.label_en : entity.label_vi) + ' · ' + sector.id));
        d.appendChild(s);
        var table = el('table', 'compact');
        var body = el('tbody');
        entity.fields.forEach(function (f) {
          var tr = el('tr');
          tr.appendChild(el('td')).appendChild(el('code', null, f.name));
          tr.appendChild(el('td', null, lang === 'en' ? f.label_en : f.label_vi));
          var type = el('td', null, f.type);
          if (f.codelist && lists[f.codelist]) {
            var codes = lists[f.codelist].codes;
            var shown = codes.slice(0, 12).map(function (c) {
              return "'" + c.code + "' " + (lang === 'en' ? c.label_en : c.label_vi);
            }).join('; ');
            type.appendChild(el('div', 'muted small', msgs.codes + ': ' + shown + (codes.length > 12 ? '; …' : '')));
          }
          tr.appendChild(type);
          body.appendChild(tr);
        });
        table.appendChild(body);
        d.appendChild(table);
        d.dataset.search = (entity.id + ' ' + entity.label_vi + ' ' + entity.label_en + ' ' +
          entity.fields.map(function (f) { return f.name + ' ' + f.label_vi + ' ' + f.label_en; }).join(' ')).toLowerCase();
        holder.appendChild(d);
      });
    });
  }

  var filter = document.getElementById('entity-filter');
  filter.addEventListener('input', function () {
    var q = filter.value.trim().toLowerCase();
    document.querySelectorAll('#entities details').forEach(function (d) {
      d.hidden = q !== '' && d.dataset.search.indexOf(q) < 0;
      if (q !== '' && !d.hidden && d.dataset.entity.indexOf(q) >= 0) d.open = true;
    });
  });

  fetch('/api/catalog', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(entities)
    .catch(function () {
      document.getElementById('entities').innerHTML = '';
    });
})();
