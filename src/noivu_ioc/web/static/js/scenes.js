// The scene editor of the video wall: the list of scenes (order, dwell time, on/off) and a
// form that lays panels out on the 12 x 8 grid with a live preview. The server checks every
// save; its refusal is shown next to the form as it was written.
(function () {
  'use strict';

  function readJSON(id, fallback) {
    var el = document.getElementById(id);
    if (!el) return fallback;
    try { return JSON.parse(el.textContent || 'null') || fallback; } catch (e) { return fallback; }
  }

  var scenes = readJSON('scenes-data', []);
  var indicators = readJSON('scenes-indicators', []);
  var setup = readJSON('scenes-setup', { kinds: ['kpi', 'trend', 'ranking', 'map', 'ticker'], grid: [12, 8] });
  var M = readJSON('scenes-messages', {});
  var COLS = setup.grid[0], ROWS = setup.grid[1];

  function msg(key, values) {
    var text = M[key] || key;
    if (values) {
      Object.keys(values).forEach(function (k) { text = text.split('{' + k + '}').join(values[k]); });
    }
    return text;
  }

  var h = window.IOC.h;  // static/js/dom.js

  var editing = null;  // the slug being edited, or null for a new scene
  var form = document.getElementById('scene-form');
  var editor = document.getElementById('scene-editor');
  var rowsEl = document.getElementById('panel-rows');
  var errorEl = document.getElementById('scene-error');
  var statusEl = document.getElementById('scene-status');

  // Talking to the server ---------------------------------------------------------------

  function send(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      if (response.status === 204) return null;
      return response.json().catch(function () { return null; }).then(function (data) {
        if (!response.ok) {
          var text = (data && data.error && data.error.message) || (data && data.detail) ||
            ('HTTP ' + response.status);
          if (typeof text !== 'string') text = JSON.stringify(text);
          var error = new Error(text);
          error.status = response.status;
          throw error;
        }
        return data;
      });
    }, function () {
      throw new Error(msg('scenes.unreachable'));
    });
  }

  function reload() {
    return send('GET', '/api/scenes').then(function (found) {
      scenes = found || [];
      renderList();
    });
  }

  function say(text) {
    statusEl.textContent = text;
    statusEl.hidden = !text;
  }

  function refuse(error) {
    errorEl.textContent = '';
    errorEl.appendChild(h('strong', { text: msg('scenes.refused') + ' ' }));
    errorEl.appendChild(document.createTextNode(error.message));
    errorEl.hidden = false;
  }

  // The list ----------------------------------------------------------------------------

  function sceneBody(scene, changes) {
    var body = {
      slug: scene.slug,
      title_vi: scene.title_vi,
      title_en: scene.title_en,
      dwell_seconds: scene.dwell_seconds,
      enabled: scene.enabled,
      position: scene.position,
      panels: scene.panels
    };
    Object.keys(changes || {}).forEach(function (k) { body[k] = changes[k]; });
    return body;
  }

  function renderList() {
    var tbody = document.getElementById('scene-rows');
    tbody.textContent = '';
    if (!scenes.length) {
      tbody.appendChild(h('tr', {}, h('td', { colspan: '8', class: 'muted', text: msg('scenes.none') })));
      return;
    }
    scenes.forEach(function (scene, i) {
      var toggle = h('input', { type: 'checkbox', 'data-testid': 'scene-toggle', 'aria-label': msg('scenes.enabled') });
      toggle.checked = !!scene.enabled;
      toggle.addEventListener('change', function () {
        toggle.disabled = true;
        send('PUT', '/api/scenes/' + encodeURIComponent(scene.slug), sceneBody(scene, { enabled: toggle.checked }))
          .then(function () { say(msg('scenes.saved', { slug: scene.slug })); return reload(); })
          .catch(function (error) { toggle.checked = !toggle.checked; say(''); alert(error.message); })
          .then(function () { toggle.disabled = false; });
      });
      var actions = h('div', { class: 'actions' });
      var edit = h('button', { type: 'button', class: 'small', 'data-testid': 'edit-scene', text: msg('scenes.edit') });
      edit.addEventListener('click', function () { openEditor(scene); });
      var up = h('button', { type: 'button', class: 'small ghost', title: msg('scenes.move_up'), 'aria-label': msg('scenes.move_up'), text: '↑' });
      up.disabled = i === 0;
      up.addEventListener('click', function () { move(i, -1); });
      var down = h('button', { type: 'button', class: 'small ghost', title: msg('scenes.move_down'), 'aria-label': msg('scenes.move_down'), text: '↓' });
      down.disabled = i === scenes.length - 1;
      down.addEventListener('click', function () { move(i, 1); });
      var del = h('button', { type: 'button', class: 'small secondary', 'data-testid': 'delete-scene', text: msg('scenes.delete') });
      del.addEventListener('click', function () { remove(scene); });
      actions.appendChild(edit);
      actions.appendChild(h('a', { href: '/wall?scene=' + encodeURIComponent(scene.slug), 'data-testid': 'view-on-wall', text: msg('scenes.view') }));
      actions.appendChild(up);
      actions.appendChild(down);
      actions.appendChild(del);
      tbody.appendChild(h('tr', { 'data-testid': 'scene-row', 'data-slug': scene.slug, class: scene.enabled ? '' : 'disabled' },
        h('td', { class: 'num', text: String(i + 1) }),
        h('td', {}, h('code', { text: scene.slug })),
        h('td', { text: scene.title }),
        h('td', { class: 'num', text: String(scene.dwell_seconds) }),
        h('td', { class: 'num', text: String((scene.panels || []).length) }),
        h('td', {}, toggle),
        h('td', { text: scene.updated_by || '' }),
        h('td', {}, actions)));
    });
  }

  function move(i, delta) {
    var j = i + delta;
    if (j < 0 || j >= scenes.length) return;
    var a = scenes[i], b = scenes[j];
    // positions are renumbered from the list so that equal ones cannot block a swap
    var posA = j + 1, posB = i + 1;
    send('PUT', '/api/scenes/' + encodeURIComponent(a.slug), sceneBody(a, { position: posA }))
      .then(function () { return send('PUT', '/api/scenes/' + encodeURIComponent(b.slug), sceneBody(b, { position: posB })); })
      .then(reload)
      .catch(function (error) { alert(error.message); });
  }

  function remove(scene) {
    if (!window.confirm(msg('scenes.confirm_delete', { slug: scene.slug }))) return;
    send('DELETE', '/api/scenes/' + encodeURIComponent(scene.slug))
      .then(function () {
        say(msg('scenes.deleted', { slug: scene.slug }));
        if (editing === scene.slug) closeEditor();
        return reload();
      })
      .catch(function (error) { alert(error.message); });
  }

  // The form ----------------------------------------------------------------------------

  function byDomain() {
    var groups = {};
    indicators.forEach(function (i) { (groups[i.domain] = groups[i.domain] || []).push(i); });
    return groups;
  }

  function indicatorSelect(kind, chosen) {
    var select = h('select', { name: 'indicators', 'data-testid': 'panel-indicators' });
    select.multiple = kind === 'kpi';
    select.disabled = kind === 'ticker' || kind === 'directives';
    if (kind !== 'kpi') select.appendChild(h('option', { value: '', text: '—' }));
    var groups = byDomain();
    Object.keys(groups).sort().forEach(function (domain) {
      var group = h('optgroup', { label: domain });
      groups[domain].forEach(function (i) {
        var option = h('option', { value: i.id, text: i.name + ' (' + i.id + ')' });
        option.selected = chosen.indexOf(i.id) >= 0;
        group.appendChild(option);
      });
      select.appendChild(group);
    });
    return select;
  }

  function numberInput(name, value, min, max) {
    var input = h('input', { type: 'number', name: name, min: String(min), max: String(max), step: '1', 'data-testid': 'panel-' + name });
    input.value = value === undefined || value === null ? '' : String(value);
    return input;
  }

  function panelRow(panel) {
    var fieldset = h('fieldset', { class: 'panel-row', 'data-testid': 'panel-row' });
    var legend = h('legend', {}, h('span', { class: 'n' }));
    var removeButton = h('button', { type: 'button', class: 'small ghost', 'data-testid': 'remove-panel', text: msg('scenes.remove_panel') });
    removeButton.addEventListener('click', function () { fieldset.remove(); changed(); });
    legend.appendChild(removeButton);
    fieldset.appendChild(legend);

    var kind = h('select', { name: 'kind', 'data-testid': 'panel-kind' });
    setup.kinds.forEach(function (k) {
      var option = h('option', { value: k, text: msg('scenes.kind.' + k) });
      option.selected = k === panel.kind;
      kind.appendChild(option);
    });
    var indicatorsLabel = h('label', { class: 'full' }, msg('scenes.indicators'), indicatorSelect(panel.kind, panel.indicators || []));
    kind.addEventListener('change', function () {
      var old = indicatorsLabel.querySelector('select');
      var keep = Array.prototype.filter.call(old.options, function (o) { return o.selected && o.value; })
        .map(function (o) { return o.value; });
      if (kind.value !== 'kpi') keep = keep.slice(0, 1);
      old.replaceWith(indicatorSelect(kind.value, keep));
      changed();
    });
    fieldset.appendChild(h('label', { class: 'wide' }, msg('scenes.kind'), kind));
    fieldset.appendChild(h('label', {}, msg('scenes.limit'), numberInput('limit', panel.limit || 10, 1, 40)));
    fieldset.appendChild(h('span'));
    fieldset.appendChild(indicatorsLabel);
    fieldset.appendChild(h('label', {}, msg('scenes.x'), numberInput('x', panel.x, 0, COLS - 1)));
    fieldset.appendChild(h('label', {}, msg('scenes.y'), numberInput('y', panel.y, 0, ROWS - 1)));
    fieldset.appendChild(h('label', {}, msg('scenes.w'), numberInput('w', panel.w, 1, COLS)));
    fieldset.appendChild(h('label', {}, msg('scenes.h'), numberInput('h', panel.h, 1, ROWS)));
    var tvi = h('input', { name: 'panel_title_vi', 'data-testid': 'panel-title-vi' });
    tvi.value = panel.title_vi || '';
    var ten = h('input', { name: 'panel_title_en', 'data-testid': 'panel-title-en' });
    ten.value = panel.title_en || '';
    fieldset.appendChild(h('label', { class: 'wide' }, msg('scenes.panel_title_vi'), tvi));
    fieldset.appendChild(h('label', { class: 'wide' }, msg('scenes.panel_title_en'), ten));
    fieldset.addEventListener('focusin', function () { select(fieldset); });
    return fieldset;
  }

  function asNumber(text) {
    var n = Number(text);
    return text !== '' && Number.isInteger(n) ? n : text;
  }

  function readPanels() {
    return Array.prototype.map.call(rowsEl.querySelectorAll('fieldset.panel-row'), function (row) {
      var field = function (name) { return row.querySelector('[name=' + name + ']'); };
      var chosen = Array.prototype.filter.call(field('indicators').options, function (o) { return o.selected && o.value; })
        .map(function (o) { return o.value; });
      var kind = field('kind').value;
      return {
        kind: kind,
        x: asNumber(field('x').value),
        y: asNumber(field('y').value),
        w: asNumber(field('w').value),
        h: asNumber(field('h').value),
        indicators: kind === 'ticker' || kind === 'directives' ? [] : chosen,
        title_vi: field('panel_title_vi').value.trim(),
        title_en: field('panel_title_en').value.trim(),
        limit: asNumber(field('limit').value)
      };
    });
  }

  function readForm() {
    var data = new FormData(form);
    var body = {
      slug: String(data.get('slug') || '').trim(),
      title_vi: String(data.get('title_vi') || '').trim(),
      title_en: String(data.get('title_en') || '').trim(),
      dwell_seconds: asNumber(String(data.get('dwell_seconds') || '')),
      enabled: form.elements.enabled.checked,
      panels: readPanels()
    };
    if (editing) {
      var current = scenes.filter(function (s) { return s.slug === editing; })[0];
      if (current) body.position = current.position;
    }
    return body;
  }

  // The first place a w x h panel fits, scanning rows from the top.
  function freeSpot(panels, w, h) {
    var taken = {};
    panels.forEach(function (p) {
      for (var x = p.x; x < p.x + p.w; x++) for (var y = p.y; y < p.y + p.h; y++) taken[x + ',' + y] = true;
    });
    for (var y0 = 0; y0 + h <= ROWS; y0++) {
      for (var x0 = 0; x0 + w <= COLS; x0++) {
        var free = true;
        for (var x1 = x0; x1 < x0 + w && free; x1++) for (var y1 = y0; y1 < y0 + h && free; y1++) if (taken[x1 + ',' + y1]) free = false;
        if (free) return { x: x0, y: y0 };
      }
    }
    return { x: 0, y: 0 };
  }

  function addPanel() {
    var existing = readPanels().filter(function (p) { return typeof p.x === 'number'; });
    var spot = freeSpot(existing, 4, 2);
    var row = panelRow({ kind: 'kpi', x: spot.x, y: spot.y, w: 4, h: 2, indicators: [], limit: 10 });
    rowsEl.appendChild(row);
    changed();
    row.querySelector('[name=kind]').focus();
  }

  function select(fieldset) {
    rowsEl.querySelectorAll('fieldset.panel-row').forEach(function (f) { f.classList.toggle('selected', f === fieldset); });
  }

  // The live preview --------------------------------------------------------------------

  function changed() {
    var rows = rowsEl.querySelectorAll('fieldset.panel-row');
    rows.forEach(function (row, i) {
      row.querySelector('legend .n').textContent = msg('scenes.panel_n', { n: i + 1 });
    });
    document.getElementById('no-panels').hidden = rows.length > 0;
    preview();
  }

  function preview() {
    var box = document.getElementById('grid-preview');
    box.textContent = '';
    box.style.gridTemplateColumns = 'repeat(' + COLS + ', 1fr)';
    box.style.gridTemplateRows = 'repeat(' + ROWS + ', 1fr)';
    var count = {};
    var panels = readPanels();
    panels.forEach(function (p) {
      if (![p.x, p.y, p.w, p.h].every(function (v) { return typeof v === 'number'; })) return;
      for (var x = p.x; x < p.x + p.w; x++) for (var y = p.y; y < p.y + p.h; y++) count[x + ',' + y] = (count[x + ',' + y] || 0) + 1;
    });
    var overlap = false;
    for (var y = 0; y < ROWS; y++) {
      for (var x = 0; x < COLS; x++) {
        var many = (count[x + ',' + y] || 0) > 1;
        overlap = overlap || many;
        box.appendChild(h('div', { class: 'cell' + (many ? ' overlap' : '') }));
      }
    }
    var rows = rowsEl.querySelectorAll('fieldset.panel-row');
    panels.forEach(function (p, i) {
      if (![p.x, p.y, p.w, p.h].every(function (v) { return typeof v === 'number'; })) return;
      var fits = p.x >= 0 && p.y >= 0 && p.w >= 1 && p.h >= 1 && p.x + p.w <= COLS && p.y + p.h <= ROWS;
      var names = p.indicators.map(function (id) {
        var found = indicators.filter(function (ind) { return ind.id === id; })[0];
        return found ? found.name : id;
      });
      var rect = h('div', {
        class: 'rect kind-' + p.kind + (fits ? '' : ' bad'),
        'data-testid': 'preview-rect',
        style: 'left:' + (100 * p.x / COLS) + '%;top:' + (100 * p.y / ROWS) + '%;width:' + (100 * p.w / COLS) +
          '%;height:' + (100 * p.h / ROWS) + '%',
        title: names.join(', ')
      }, h('strong', { text: (i + 1) + ' · ' + msg('scenes.kind.' + p.kind) }), p.title_vi || names.join(', '));
      rect.addEventListener('click', function () {
        var target = rows[i];
        if (target) { select(target); target.scrollIntoView({ block: 'nearest' }); target.querySelector('[name=kind]').focus(); }
      });
      box.appendChild(rect);
    });
    document.getElementById('overlap-note').hidden = !overlap;
  }

  // Opening, closing and saving --------------------------------------------------------

  function openEditor(scene) {
    editing = scene ? scene.slug : null;
    form.reset();
    errorEl.hidden = true;
    rowsEl.textContent = '';
    var slug = form.elements.slug;
    slug.value = scene ? scene.slug : '';
    slug.readOnly = !!scene;
    form.elements.title_vi.value = scene ? scene.title_vi : '';
    form.elements.title_en.value = scene ? scene.title_en : '';
    form.elements.dwell_seconds.value = scene ? scene.dwell_seconds : 40;
    form.elements.enabled.checked = scene ? !!scene.enabled : true;
    (scene ? scene.panels : []).forEach(function (p) { rowsEl.appendChild(panelRow(p)); });
    document.getElementById('editor-title').textContent = scene ? msg('scenes.editing', { slug: scene.slug }) : msg('scenes.creating');
    var view = document.getElementById('view-scene');
    view.hidden = !scene;
    if (scene) view.setAttribute('href', '/wall?scene=' + encodeURIComponent(scene.slug));
    editor.hidden = false;
    changed();
    (scene ? form.elements.title_vi : slug).focus();
    editor.scrollIntoView({ block: 'start' });
  }

  function closeEditor() {
    editing = null;
    editor.hidden = true;
    errorEl.hidden = true;
  }

  form.addEventListener('input', function (ev) {
    if (ev.target && ev.target.closest('fieldset.panel-row')) preview();
  });
  form.addEventListener('change', function (ev) {
    if (ev.target && ev.target.closest('fieldset.panel-row')) preview();
  });

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var body = readForm();
    var button = document.getElementById('save-scene');
    button.disabled = true;
    errorEl.hidden = true;
    var request = editing
      ? send('PUT', '/api/scenes/' + encodeURIComponent(editing), body)
      : send('POST', '/api/scenes', body);
    request.then(function (saved) {
      say(msg('scenes.saved', { slug: saved.slug }));
      return reload().then(function () {
        var fresh = scenes.filter(function (s) { return s.slug === saved.slug; })[0];
        if (fresh) openEditor(fresh);
      });
    }).catch(refuse).then(function () { button.disabled = false; });
  });

  document.getElementById('new-scene').addEventListener('click', function () { say(''); openEditor(null); });
  document.getElementById('add-panel').addEventListener('click', addPanel);
  document.getElementById('cancel-edit').addEventListener('click', closeEditor);

  renderList();
})();
