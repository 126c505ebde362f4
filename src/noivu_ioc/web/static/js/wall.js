// The video wall: rotates the enabled scenes, draws their panels on the 12 x 8 grid of a
// 1920 x 1080 virtual canvas per screen, keeps the live ticker fed from /api/live, and the
// directives panel from /api/directives/board, read again on every directive.* event.
//
// Screens of a grid (?grid=2x1&tile=1,0) each load this page on their own; they pick the
// current scene from the wall clock, so they stay in step without talking to each other.
(function () {
  'use strict';

  var W = 1920, H = 1080;
  var REFRESH_MS = 60000;
  var MAX_EVENTS = 25;
  var TZ = 'Asia/Ho_Chi_Minh';

  function readJSON(id, fallback) {
    var el = document.getElementById(id);
    if (!el) return fallback;
    try { return JSON.parse(el.textContent || 'null') || fallback; } catch (e) { return fallback; }
  }

  var config = readJSON('wall-config', {});
  var viewer = readJSON('wall-viewer', { national: false, root: 'nation', can_edit: false });
  var M = readJSON('wall-messages', {});
  var lang = config.lang === 'en' ? 'en' : 'vi';
  var grid = Array.isArray(config.grid) ? config.grid : [1, 1];
  var tile = Array.isArray(config.tile) ? config.tile : [0, 0];

  function msg(key, values) {
    var text = M[key] || key;
    if (values) {
      Object.keys(values).forEach(function (k) { text = text.split('{' + k + '}').join(values[k]); });
    }
    return text;
  }

  // Numbers: Vietnamese groups thousands with '.' and uses ',' for decimals; English the
  // reverse (as the server's format_number does).
  function fmt(value, decimals) {
    if (value === null || value === undefined || isNaN(value)) return '–';
    var d = Math.max(0, Math.min(6, decimals | 0));
    var negative = value < 0;
    var fixed = Math.abs(value).toFixed(d);
    var parts = fixed.split('.');
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, lang === 'vi' ? '.' : ',');
    var text = parts.length > 1 ? whole + (lang === 'vi' ? ',' : '.') + parts[1] : whole;
    if (negative && /[1-9]/.test(text)) text = '−' + text;
    return text;
  }

  function unitText(card) {
    if (!card || !card.unit_label) return '';
    return card.unit_label;
  }

  var h = window.IOC.h;  // static/js/dom.js

  // State ------------------------------------------------------------------------------

  var state = {
    scenes: [],
    slug: null,
    index: -1,
    place: config.place || viewer.root || 'nation',
    paused: false,
    offset: 0,
    skew: 0,
    layoutKey: null,
    slots: [],
    cache: {},
    events: [],
    live: 'connecting',
    geo: null,
    geoPromise: null,
    scale: 1,
    dpr: 1,
    failing: {},
    retries: {},
    timers: {},
    inflight: null,
    lastData: null
  };
  window.__wallCharts = {};
  window.__wall = { state: state, drill: function (code) { setPlace('province:' + code); } };

  function now() { return Date.now() + state.skew; }

  // Screens of one grid follow the server's clock when the local one is far off.
  function readSkew(response) {
    var date = response.headers.get('Date');
    if (!date) return;
    var server = Date.parse(date);
    if (isNaN(server)) return;
    var skew = server + 500 - Date.now();
    state.skew = Math.abs(skew) > 3000 ? skew : 0;
  }

  // The connection note -----------------------------------------------------------------

  function setFailing(what, failed) {
    if (failed) state.failing[what] = true; else delete state.failing[what];
    var note = document.getElementById('conn-note');
    if (note) note.hidden = Object.keys(state.failing).length === 0;
  }

  // Retries wait 3 s, 6 s, 12 s … up to a minute.
  function backoff(what) {
    var n = state.retries[what] = (state.retries[what] || 0) + 1;
    return Math.min(60000, 3000 * Math.pow(2, Math.min(n - 1, 5)));
  }

  function recovered(what) {
    delete state.retries[what];
    setFailing(what, false);
  }

  function HttpError(status, message) {
    this.status = status;
    this.message = message;
  }

  function getJSON(url) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = setTimeout(function () { if (controller) controller.abort(); }, 20000);
    return fetch(url, {
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { Accept: 'application/json' },
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      clearTimeout(timer);
      readSkew(response);
      if (response.status === 401) {
        window.location.href = '/login?next=' +
          encodeURIComponent(window.location.pathname + window.location.search);
        throw new HttpError(401, 'not logged in');
      }
      if (!response.ok) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          var text = body && body.error && body.error.message;
          throw new HttpError(response.status, text || ('HTTP ' + response.status));
        });
      }
      return response.json();
    }, function (error) {
      clearTimeout(timer);
      throw error;
    });
  }

  // Scaling: one 1920 x 1080 virtual screen fills this screen ----------------------------

  var viewport = document.getElementById('wall-viewport');
  var canvas = document.getElementById('wall-canvas');
  var body = document.getElementById('scene-body');

  function layout() {
    var root = document.documentElement;
    root.style.setProperty('--ui-scale', String(Math.max(1, window.innerWidth / W)));
    var strip = document.getElementById('wall-strip');
    viewport.style.top = (strip ? strip.offsetHeight : 0) + 'px';
    var aw = viewport.clientWidth, ah = viewport.clientHeight;
    var s = Math.min(aw / W, ah / H) || 1;
    var ox = (aw - W * s) / 2, oy = (ah - H * s) / 2;
    canvas.style.width = grid[0] * W + 'px';
    canvas.style.height = grid[1] * H + 'px';
    canvas.style.transform = 'translate(' + ox + 'px,' + oy + 'px) scale(' + s + ') translate(' +
      (-tile[0] * W) + 'px,' + (-tile[1] * H) + 'px)';
    state.scale = s;
    // Charts draw at the physical resolution: the page's pixel ratio times the scale.
    var dpr = (window.devicePixelRatio || 1) * s;
    if (Math.abs(dpr - state.dpr) > 0.01) {
      state.dpr = dpr;
      state.slots.forEach(function (slot) {
        if (slot.chart) { slot.chart.dispose(); slot.chart = null; draw(slot); }
      });
    } else {
      state.slots.forEach(function (slot) { if (slot.chart) slot.chart.resize(); });
    }
    state.slots.forEach(function (slot) { if (slot.data && slot.data.kind === 'ticker') fitTicker(slot); });
  }

  var resizeTimer = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(layout, 100);
  });

  // The clock --------------------------------------------------------------------------

  var clockFmt = new Intl.DateTimeFormat('en-GB', {
    timeZone: TZ, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23'
  });
  var hmFmt = new Intl.DateTimeFormat('en-GB', {
    timeZone: TZ, hour: '2-digit', minute: '2-digit', hourCycle: 'h23'
  });
  var dateFmt = new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', {
    timeZone: TZ, weekday: 'long', day: '2-digit', month: '2-digit', year: 'numeric'
  });

  function tickClock() {
    var t = new Date(now());
    var clock = document.getElementById('clock');
    var date = document.getElementById('clock-date');
    if (clock) { clock.textContent = clockFmt.format(t); clock.setAttribute('datetime', t.toISOString()); }
    if (date) date.textContent = dateFmt.format(t);
  }

  // Rotation ---------------------------------------------------------------------------

  function playlist() {
    if (config.scene) {
      var pinned = state.scenes.filter(function (s) { return s.slug === config.scene; });
      return pinned.length ? pinned : [{ slug: config.scene, title: '', dwell_seconds: 60 }];
    }
    return state.scenes.filter(function (s) { return s.enabled; });
  }

  // Which scene the wall clock says is on, and for how much longer.
  function clockSlot(list) {
    var total = list.reduce(function (sum, s) { return sum + Math.max(5, s.dwell_seconds); }, 0) * 1000;
    var pos = now() % total;
    for (var i = 0; i < list.length; i++) {
      var d = Math.max(5, list[i].dwell_seconds) * 1000;
      if (pos < d) return { index: i, elapsed: pos, dwell: d };
      pos -= d;
    }
    return { index: 0, elapsed: 0, dwell: list[0].dwell_seconds * 1000 };
  }

  function mod(a, n) { return ((a % n) + n) % n; }

  function schedule() {
    clearTimeout(state.timers.rotate);
    clearTimeout(state.timers.prefetch);
    var list = playlist();
    if (!list.length) {
      showNoScenes();
      return;
    }
    if (document.getElementById('wall-message').getAttribute('data-kind') === 'empty') notice(null);
    var rotating = !config.scene && list.length > 1;
    var slot = clockSlot(list);
    var index = state.paused ? mod(state.index, list.length) : mod(slot.index + state.offset, list.length);
    var chosen = list[index];
    state.index = index;
    updateStrip(list);
    progress(rotating && !state.paused ? slot : null);
    if (chosen.slug !== state.slug) {
      state.slug = chosen.slug;
      show(chosen.slug);
    }
    if (!rotating || state.paused) return;
    var left = slot.dwell - slot.elapsed;
    state.timers.rotate = setTimeout(schedule, left + 30);
    var next = list[mod(index + 1, list.length)];
    if (left > 4000 && next.slug !== chosen.slug) {
      state.timers.prefetch = setTimeout(function () { prefetch(next.slug); }, left - 3000);
    }
  }

  function progress(slot) {
    var bar = document.getElementById('scene-progress');
    if (!bar) return;
    bar.style.transition = 'none';
    if (!slot) { bar.style.width = '0'; return; }
    bar.style.width = (100 * slot.elapsed / slot.dwell) + '%';
    void bar.offsetWidth;
    bar.style.transition = 'width ' + (slot.dwell - slot.elapsed) + 'ms linear';
    bar.style.width = '100%';
  }

  // A line in the middle of the wall: loading, no scene, a refused drill.
  function notice(kind, text, link) {
    var message = document.getElementById('wall-message');
    clearTimeout(state.timers.notice);
    if (!kind) {
      message.hidden = true;
      message.removeAttribute('data-kind');
      return;
    }
    message.textContent = text;
    if (link) message.appendChild(h('p', {}, h('a', { href: link.href, text: link.text })));
    message.setAttribute('data-kind', kind);
    message.hidden = false;
  }

  function showNoScenes() {
    state.slug = null;
    state.lastData = null;
    clearPanels();
    document.getElementById('scene-title').textContent = msg('wall.no_scenes');
    document.getElementById('place-label').textContent = '';
    var canEdit = viewer.can_edit && !config.kiosk;
    notice('empty', msg('wall.no_scenes'), canEdit ? { href: '/wall/scenes', text: msg('wall.editor') } : null);
    updateStrip([]);
  }

  function updateStrip(list) {
    var strip = document.getElementById('strip-scene');
    if (!strip) return;
    strip.textContent = '';
    var current = list[state.index];
    var title = (state.lastData && state.lastData.scene === (current && current.slug) && state.lastData.title) ||
      (current && current.title) || '';
    strip.appendChild(document.createTextNode(title));
    var extra = config.scene ? msg('wall.pinned')
      : list.length ? msg('wall.scene_of', { n: state.index + 1, total: list.length }) : '';
    if (state.paused) extra += ' · ' + msg('wall.paused');
    if (extra) strip.appendChild(h('small', { text: extra }));
    var buttons = document.querySelector('.strip-buttons');
    if (buttons) buttons.hidden = !!config.scene || list.length < 2;
    var pause = document.getElementById('btn-pause');
    if (pause) {
      pause.setAttribute('aria-pressed', state.paused ? 'true' : 'false');
      pause.title = msg(state.paused ? 'wall.resume' : 'wall.pause');
      pause.setAttribute('aria-label', pause.title);
      pause.innerHTML = state.paused ? '&#9654;&#xFE0E;' : '&#10074;&#10074;';
    }
  }

  function step(delta) {
    var list = playlist();
    if (list.length < 2) return;
    if (state.paused) state.index = mod(state.index + delta, list.length);
    else state.offset += delta;
    schedule();
  }

  function togglePause() {
    var list = playlist();
    if (!list.length) return;
    if (state.paused) {
      // carry on from the scene shown, then with the clock
      state.offset = mod(state.index - clockSlot(list).index, list.length);
      state.paused = false;
    } else {
      state.paused = true;
    }
    schedule();
  }

  function loadScenes() {
    clearTimeout(state.timers.scenes);
    return getJSON('/api/scenes').then(function (found) {
      recovered('scenes');
      var before = JSON.stringify(state.scenes.map(sceneKey));
      state.scenes = Array.isArray(found) ? found : [];
      if (before !== JSON.stringify(state.scenes.map(sceneKey)) || state.slug === null) schedule();
    }, function (error) {
      if (error && error.status === 401) return;
      setFailing('scenes', true);
      state.timers.scenes = setTimeout(loadScenes, backoff('scenes'));
    });
  }

  function sceneKey(s) { return [s.slug, s.dwell_seconds, s.enabled, s.position].join('|'); }

  // Scene data -------------------------------------------------------------------------

  function dataUrl(slug, place) {
    return '/api/scenes/' + encodeURIComponent(slug) + '/data?place=' + encodeURIComponent(place) +
      '&lang=' + lang;
  }

  function fetchData(slug, place) {
    return getJSON(dataUrl(slug, place)).then(function (data) {
      state.cache[slug + '|' + place] = { data: data, at: Date.now() };
      return data;
    });
  }

  function prefetch(slug) {
    fetchData(slug, state.place).catch(function () { /* shown when it is on */ });
  }

  function show(slug, fresh) {
    var place = state.place;
    var cached = state.cache[slug + '|' + place];
    if (!fresh && cached && Date.now() - cached.at < REFRESH_MS - 5000) {
      render(cached.data);
      return Promise.resolve();
    }
    if (!state.lastData || state.lastData.scene !== slug) loadingTitle(slug);
    if (!state.lastData) notice('loading', msg('wall.loading'));
    clearTimeout(state.timers.data);
    var ticket = {};
    state.inflight = ticket;
    return fetchData(slug, place).then(function (data) {
      if (state.inflight !== ticket || state.slug !== slug || state.place !== place) return;
      recovered('data');
      render(data);
    }, function (error) {
      if (state.inflight !== ticket) return;
      if (error && error.status === 401) return;
      if (error && error.status === 403 && place !== viewer.root) {
        refused(error.message);
        return;
      }
      if (error && error.status === 404) {
        // the scene was deleted or renamed: read the list again
        state.slug = null;
        loadScenes();
        return;
      }
      setFailing('data', true);
      state.timers.data = setTimeout(function () {
        if (state.slug) show(state.slug, true);
      }, backoff('data'));
    });
  }

  function loadingTitle(slug) {
    var scene = state.scenes.filter(function (s) { return s.slug === slug; })[0];
    document.getElementById('scene-title').textContent = (scene && scene.title) || msg('wall.loading');
  }

  function refreshData() {
    if (!state.slug) return;
    state.cache = {};
    show(state.slug, true);
  }

  var dataTimer = null;
  function refreshSoon() {
    // several syncs committing one after the other give one fetch
    clearTimeout(dataTimer);
    dataTimer = setTimeout(refreshData, 1500);
  }

  // Places: drilling into a province and back ------------------------------------------

  function placeUrl(place) {
    var url = new URL(window.location.href);
    if (place === viewer.root) url.searchParams.delete('place');
    else url.searchParams.set('place', place);
    return url.pathname + url.search;
  }

  function setPlace(place, fromHistory) {
    if (!place || place === state.place) return;
    state.previousPlace = state.place;
    state.place = place;
    if (!fromHistory) window.history.pushState({ place: place }, '', placeUrl(place));
    fixLangLinks();
    state.cache = {};
    if (state.slug) show(state.slug, true);
  }

  function refused(text) {
    var back = state.previousPlace && state.previousPlace !== state.place ? state.previousPlace : viewer.root;
    state.place = back;
    window.history.replaceState({ place: back }, '', placeUrl(back));
    fixLangLinks();
    notice('refused', msg('wall.drill_refused') + (text ? ': ' + text : ''));
    state.timers.notice = setTimeout(function () { notice(null); }, 8000);
    if (state.slug) show(state.slug, true);
  }

  window.addEventListener('popstate', function () {
    var asked = new URL(window.location.href).searchParams.get('place') || viewer.root;
    setPlace(asked, true);
  });

  function fixLangLinks() {
    document.querySelectorAll('.langs a[data-lang]').forEach(function (a) {
      var url = new URL(window.location.href);
      url.searchParams.set('lang', a.getAttribute('data-lang'));
      a.setAttribute('href', url.pathname + url.search);
    });
  }

  function updatePlace(data) {
    document.getElementById('place-label').textContent = data.place_label || '';
    var back = document.getElementById('place-back');
    var sep = document.getElementById('place-sep');
    if (!back) return;
    var drilled = data.place !== viewer.root && state.place !== viewer.root;
    back.hidden = !drilled;
    if (sep) sep.hidden = !drilled;
    back.textContent = '‹ ' + msg(viewer.national ? 'wall.back_nation' : 'wall.back_root');
    back.setAttribute('href', placeUrl(viewer.root));
  }

  // Drawing a scene --------------------------------------------------------------------

  function layoutKey(data) {
    return data.scene + '#' + (data.panels || []).map(function (p) {
      return [p.kind, p.x, p.y, p.w, p.h].join(',');
    }).join(';');
  }

  function clearPanels() {
    state.slots.forEach(function (slot) {
      if (slot.chart) { try { slot.chart.dispose(); } catch (e) { /* gone already */ } }
    });
    state.slots = [];
    state.layoutKey = null;
    window.__wallCharts = {};
    body.textContent = '';
  }

  function render(data) {
    state.lastData = data;
    if (document.getElementById('wall-message').getAttribute('data-kind') === 'loading') notice(null);
    document.getElementById('scene-title').textContent = data.title || data.scene || '';
    document.title = (data.title || '') + ' · ' + document.title.split(' · ').slice(-1)[0];
    updatePlace(data);
    updateStrip(playlist());
    var cols = data.columns || 12, rows = data.rows || 8;
    var key = layoutKey(data);
    if (key !== state.layoutKey) {
      clearPanels();
      state.layoutKey = key;
      (data.panels || []).forEach(function (p) {
        var el = h('section', {
          class: 'wpanel kind-' + p.kind,
          'data-testid': 'panel-' + p.kind,
          style: 'left:' + (100 * p.x / cols) + '%;top:' + (100 * p.y / rows) + '%;width:' +
            (100 * p.w / cols) + '%;height:' + (100 * p.h / rows) + '%'
        });
        var inner = h('div', { class: 'wpanel-in' });
        var title = h('h2', { class: 'wpanel-title' });
        var content = h('div', { class: 'wpanel-body' });
        inner.appendChild(title);
        inner.appendChild(content);
        el.appendChild(inner);
        body.appendChild(el);
        state.slots.push({ el: el, title: title, body: content, chart: null, data: null, kind: p.kind });
      });
    }
    (data.panels || []).forEach(function (p, i) {
      var slot = state.slots[i];
      slot.data = p;
      draw(slot);
    });
  }

  // One panel: whatever goes wrong stays inside it.
  function draw(slot) {
    var p = slot.data;
    try {
      slot.title.textContent = p.kind === 'ticker' ? '' : (p.title || (p.card && p.card.name) || '') +
        (p.kind === 'ranking' || p.kind === 'map' ? unitNote(p.card) : '');
      slot.title.hidden = p.kind === 'ticker' || (p.kind === 'kpi' && !p.title) ||
        (p.kind === 'directives' && p.h < 2);
      var drawer = DRAWERS[p.kind];
      if (!drawer) throw new Error('unknown panel kind ' + p.kind);
      if (p.reason && p.kind !== 'kpi' && p.kind !== 'ticker') {
        dropChart(slot);
        reasonBox(slot.body, msg('wall.no_data'), p.reason);
        return;
      }
      var done = drawer(slot, p);
      if (done && typeof done.catch === 'function') done.catch(function (error) { failed(slot, error); });
    } catch (error) {
      failed(slot, error);
    }
  }

  function failed(slot, error) {
    if (window.console) console.error('wall panel', slot.kind, error);
    dropChart(slot);
    reasonBox(slot.body, msg('wall.panel_failed'), (error && error.message) || String(error), true);
  }

  function reasonBox(container, title, text, isFailure) {
    container.textContent = '';
    container.appendChild(h('div', { class: 'panel-reason' + (isFailure ? ' failed' : ''), 'data-testid': 'panel-reason' },
      h('strong', { text: title }), text ? h('span', { text: text }) : null));
  }

  function dropChart(slot) {
    if (slot.chart) {
      try { slot.chart.dispose(); } catch (e) { /* gone already */ }
      slot.chart = null;
    }
  }

  // An ECharts instance for a holder, at the physical pixel ratio of this screen.
  function chartIn(slot, holder) {
    if (!window.echarts) throw new Error('ECharts is not loaded');
    if (slot.chart && slot.chart.getDom() === holder && !slot.chart.isDisposed()) return slot.chart;
    dropChart(slot);
    slot.chart = window.echarts.init(holder, null, { renderer: 'canvas', devicePixelRatio: state.dpr });
    return slot.chart;
  }

  function statusOf(value) {
    return value === 'green' || value === 'amber' || value === 'red' ? value : 'none';
  }

  function badge(status) {
    var st = statusOf(status);
    return h('span', { class: 'badge-st', 'data-status': st },
      h('span', { class: 'shape st-' + st, 'aria-hidden': 'true' }), msg('wall.status.' + st));
  }

  function holderFor(slot, cls) {
    var holder = slot.body.querySelector(':scope > .' + cls);
    if (!holder) {
      dropChart(slot);
      slot.body.textContent = '';
      holder = h('div', { class: cls });
      slot.body.appendChild(holder);
    }
    return holder;
  }

  // KPI tiles
  function drawKpi(slot, p) {
    var cards = p.cards || [];
    slot.body.textContent = '';
    if (!cards.length) {
      reasonBox(slot.body, msg('wall.no_data'), p.reason || '');
      return;
    }
    var width = slot.el.clientWidth || (W * p.w / 12);
    var height = slot.el.clientHeight || (H * p.h / 8);
    var cols = Math.max(1, Math.min(cards.length, Math.floor(width / 250)));
    var rows = Math.ceil(cards.length / cols);
    cols = Math.ceil(cards.length / rows);
    var gridEl = h('div', {
      class: 'kpi-grid',
      style: 'grid-template-columns:repeat(' + cols + ',minmax(0,1fr));grid-template-rows:repeat(' + rows + ',minmax(0,1fr))'
    });
    cards.forEach(function (card) { gridEl.appendChild(kpiTile(card)); });
    slot.body.appendChild(gridEl);
    void height;
  }

  function kpiTile(card) {
    var st = statusOf(card.status);
    var hasValue = card.value !== null && card.value !== undefined;
    var tileEl = h('article', {
      class: 'kpi-tile' + (hasValue ? '' : ' empty'),
      'data-testid': 'kpi-card',
      'data-status': st,
      'data-indicator': card.id,
      title: card.name
    });
    var inner = h('div', { class: 'kpi-inner' });
    tileEl.appendChild(inner);
    // a tile without thresholds has no traffic light to show
    inner.appendChild(h('div', { class: 'kpi-top' },
      h('span', { class: 'kpi-name', text: card.name }), hasValue && st !== 'none' ? badge(card.status) : null));
    if (!hasValue) {
      inner.appendChild(h('div', { class: 'kpi-value', text: msg('wall.no_data') }));
      inner.appendChild(h('div', { class: 'kpi-reason', 'data-testid': 'kpi-reason', text: card.reason || '' }));
      return tileEl;
    }
    var unit = unitText(card);
    inner.appendChild(h('div', { class: 'kpi-value', 'data-testid': 'kpi-value' },
      h('span', { class: 'num', text: fmt(card.value, card.decimals) }),
      unit ? h('span', { class: 'unit', text: unit }) : null));
    var foot = h('div', { class: 'kpi-foot' });
    foot.appendChild(changeLine(card));
    if (card.target !== null && card.target !== undefined) {
      foot.appendChild(h('span', { class: 'kpi-target',
        text: msg('wall.target') + ': ' + fmt(card.target, card.decimals) + (unit ? ' ' + unit : '') }));
    }
    inner.appendChild(foot);
    return tileEl;
  }

  function changeLine(card) {
    if (card.change === null || card.change === undefined) {
      return h('span', { class: 'kpi-change' }, card.period ? msg('wall.period', { y: card.period }) + ' · ' : '',
        msg('wall.no_previous'));
    }
    var c = card.change;
    var flat = Math.abs(c) < Math.pow(10, -(card.decimals || 0)) / 2;
    var arrow = flat ? '►' : c > 0 ? '▲' : '▼';
    var unit = card.unit === 'percent' ? ' ' + msg('wall.points') : (unitText(card) ? ' ' + unitText(card) : '');
    var sign = flat ? '' : c > 0 ? '+' : '';
    return h('span', { class: 'kpi-change', 'data-direction': flat ? 'flat' : c > 0 ? 'up' : 'down' },
      h('span', { class: 'arrow', 'aria-hidden': 'true', text: arrow }),
      sign + fmt(c, card.decimals) + unit + ' ' + msg('wall.vs_previous'));
  }

  var AXIS = { color: '#c8d5e4', fontSize: 18 };
  var GRIDLINE = { lineStyle: { color: 'rgba(255,255,255,.08)' } };
  var STATUS_COLOURS = { green: '#38d985', amber: '#ffb224', red: '#ff5d5d', none: '#7d8ea3' };

  // Trend: the indicator over the years, with its target
  function drawTrend(slot, p) {
    var rows = (p.rows || []).filter(function (r) { return r.key !== null; });
    var card = p.card || {};
    if (!rows.length) {
      dropChart(slot);
      reasonBox(slot.body, msg('wall.no_data'), card.reason || '');
      return;
    }
    var wrap = slot.body.querySelector(':scope > .trend-wrap');
    if (!wrap) {
      dropChart(slot);
      slot.body.textContent = '';
      wrap = h('div', { class: 'trend-wrap' }, h('div', { class: 'trend-head' }), h('div', { class: 'trend-chart' }));
      slot.body.appendChild(wrap);
    }
    var head = wrap.querySelector('.trend-head');
    head.textContent = '';
    var unit = unitText(card);
    if (card.value !== null && card.value !== undefined) {
      head.appendChild(h('span', { class: 'big' }, fmt(card.value, card.decimals),
        unit ? h('span', { class: 'unit', text: unit }) : null));
      head.appendChild(badge(card.status));
      if (card.period) head.appendChild(h('span', { class: 'muted-y', text: msg('wall.period', { y: card.period }) }));
    } else {
      head.appendChild(h('span', { class: 'big', text: msg('wall.no_data') }));
    }
    var chart = chartIn(slot, wrap.querySelector('.trend-chart'));
    var series = [{
      type: 'line',
      data: rows.map(function (r) {
        return { value: r.value, itemStyle: { color: STATUS_COLOURS[statusOf(r.status)] } };
      }),
      symbol: 'circle',
      symbolSize: 14,
      lineStyle: { width: 4, color: '#6cb8ff' },
      areaStyle: { color: 'rgba(108,184,255,.12)' },
      label: {
        show: rows.length <= 8, position: 'top', color: '#f3f7fb', fontSize: 16,
        formatter: function (v) { return fmt(v.value, card.decimals); }
      },
      z: 3
    }];
    if (card.target !== null && card.target !== undefined) {
      series[0].markLine = {
        silent: true,
        symbol: 'none',
        lineStyle: { color: '#ffd54f', type: 'dashed', width: 3 },
        label: {
          color: '#ffd54f', fontSize: 16, position: 'insideEndTop',
          formatter: msg('wall.target') + ' ' + fmt(card.target, card.decimals)
        },
        data: [{ yAxis: card.target }]
      };
    }
    var values = rows.map(function (r) { return r.value; }).filter(function (v) { return v !== null; });
    if (card.target !== null && card.target !== undefined) values.push(card.target);
    chart.setOption({
      animation: false,
      grid: { left: 16, right: 24, top: 36, bottom: 12, containLabel: true },
      tooltip: {
        renderMode: 'richText', trigger: 'axis', textStyle: { fontSize: 16 },
        valueFormatter: function (v) { return fmt(v, card.decimals) + (unit ? ' ' + unit : ''); }
      },
      xAxis: {
        type: 'category', data: rows.map(function (r) { return r.label; }),
        axisLabel: AXIS, axisLine: { lineStyle: { color: '#4b607a' } }
      },
      yAxis: {
        type: 'value', scale: true, splitLine: GRIDLINE,
        min: values.length ? Math.floor(Math.min.apply(null, values) * 0.95) : null,
        axisLabel: { color: AXIS.color, fontSize: 16, formatter: function (v) { return fmt(v, 0); } }
      },
      series: series
    }, true);
    chart.resize();
    window.__wallCharts.trend = chart;
  }

  // A unit short enough to repeat on every line (%, ‰); a longer one is said once, above.
  function shortUnit(card) {
    var unit = unitText(card);
    return unit.length <= 2 ? unit : '';
  }

  function unitNote(card) {
    var unit = unitText(card);
    return unit && !shortUnit(card) ? ' (' + unit + ')' : '';
  }

  // Ranking: the level below, best first
  function rankList(rows, card, limit) {
    var shown = rows.slice(0, limit || rows.length);
    var max = shown.reduce(function (m, r) { return r.value !== null && r.value > m ? r.value : m; }, 0);
    var list = h('ol', { class: 'rank-list', 'data-testid': 'ranking' });
    shown.forEach(function (r, i) {
      var st = statusOf(r.status);
      var width = max > 0 && r.value !== null ? Math.max(1, 100 * r.value / max) : 0;
      list.appendChild(h('li', { 'data-status': st, 'data-key': r.key },
        h('span', { class: 'pos', text: String(i + 1) }),
        h('span', { class: 'label', text: r.label || msg('wall.unknown'), title: r.label || '' }),
        h('span', { class: 'bar' }, h('i', { style: 'width:' + width.toFixed(1) + '%' })),
        h('span', { class: 'value', text: fmt(r.value, card.decimals) + (shortUnit(card) ? ' ' + shortUnit(card) : '') }),
        h('span', { class: 'shape st-' + st, title: msg('wall.status.' + st) })));
    });
    return list;
  }

  function drawRanking(slot, p) {
    var rows = p.rows || [];
    var card = p.card || {};
    dropChart(slot);
    slot.body.textContent = '';
    if (!rows.length) {
      reasonBox(slot.body, msg('wall.no_data'), card.reason || '');
      return;
    }
    var list = rankList(rows, card, p.limit);
    var height = slot.body.clientHeight || (H * p.h / 8 - 60);
    var rowHeight = height / Math.max(1, Math.min(rows.length, p.limit || rows.length));
    list.style.fontSize = Math.max(14, Math.min(28, rowHeight * 0.52)).toFixed(1) + 'px';
    slot.body.appendChild(list);
  }

  // Map: the province choropleth
  function loadGeo() {
    if (state.geo) return Promise.resolve(state.geo);
    if (!state.geoPromise) {
      state.geoPromise = getJSON('/api/map/provinces').then(function (geo) {
        if (!window.echarts) throw new Error('ECharts is not loaded');
        window.echarts.registerMap('vn-provinces', geo);
        var names = {};
        (geo.features || []).forEach(function (f) {
          var props = f.properties || {};
          names[props.code || f.id] = props.short_name || props.name || props.code;
        });
        state.geo = { meta: geo.ioc || {}, names: names, cell: smallestCell(geo.features || []) };
        return state.geo;
      });
      state.geoPromise.catch(function () { state.geoPromise = null; });
    }
    return state.geoPromise;
  }

  // [west, south, east, north] of the narrowest province: what must hold a label.
  function smallestCell(features) {
    var best = null;
    features.forEach(function (f) {
      var g = f.geometry || {};
      var rings = g.type === 'Polygon' ? [g.coordinates[0]] : g.type === 'MultiPolygon'
        ? g.coordinates.map(function (poly) { return poly[0]; }) : [];
      rings.forEach(function (ring) {
        if (!ring || !ring.length) return;
        var xs = ring.map(function (pt) { return pt[0]; }), ys = ring.map(function (pt) { return pt[1]; });
        var box = [Math.min.apply(null, xs), Math.min.apply(null, ys), Math.max.apply(null, xs), Math.max.apply(null, ys)];
        if (!best || box[2] - box[0] < best[2] - best[0]) best = box;
      });
    });
    return best;
  }

  function drawMap(slot, p) {
    var wrap = slot.body.querySelector(':scope > .map-wrap');
    if (!wrap) {
      dropChart(slot);
      slot.body.textContent = '';
      slot.body.appendChild(h('div', { class: 'panel-loading', text: msg('wall.loading') }));
    }
    return loadGeo().then(function (geo) {
      if (slot.data !== p) return;  // redrawn meanwhile
      paintMap(slot, p, geo);
    }, function (error) {
      if (slot.data !== p) return;
      dropChart(slot);
      reasonBox(slot.body, msg('wall.map_failed'), error && error.message, true);
    });
  }

  function paintMap(slot, p, geo) {
    var card = p.card || {};
    var unit = unitText(card);
    var byProvince = p.by === 'province';
    var wrap = slot.body.querySelector(':scope > .map-wrap');
    if (!wrap || wrap.getAttribute('data-by') !== String(byProvince)) {
      dropChart(slot);
      slot.body.textContent = '';
      wrap = h('div', { class: 'map-wrap', 'data-testid': 'map', 'data-by': String(byProvince) },
        h('div', { class: 'map-holder' }, h('div', { class: 'map-chart' })), h('div', { class: 'map-side' }));
      slot.body.appendChild(wrap);
    }
    var holder = wrap.querySelector('.map-holder');
    wrap.querySelectorAll('.map-note, .map-hint').forEach(function (n) { n.remove(); });
    var meta = geo.meta || {};
    var sources = (meta.sources || []).join('; ');
    if (meta.schematic) {
      wrap.appendChild(h('div', { class: 'map-note', 'data-testid': 'schematic-note', title: sources },
        h('span', {}, h('strong', { text: msg('wall.schematic') }),
          sources ? ' · ' + msg('wall.source') + ': ' + sources : '')));
    } else if (sources) {
      wrap.appendChild(h('div', { class: 'map-note plain' }, msg('wall.source') + ': ' + sources));
    }
    var rows = (p.rows || []).filter(function (r) { return r.key !== null && r.value !== null; });
    var data, visualMap = null;
    if (byProvince) {
      data = rows.map(function (r) { return { name: String(r.key), value: r.value, status: r.status }; });
      var values = data.map(function (d) { return d.value; });
      var min = values.length ? Math.min.apply(null, values) : 0;
      var max = values.length ? Math.max.apply(null, values) : 1;
      if (max === min) max = min + 1;
      visualMap = {
        type: 'continuous', min: min, max: max, calculable: false, realtime: false,
        left: 8, bottom: 56, itemWidth: 16, itemHeight: 150,
        text: [fmt(max, card.decimals), fmt(min, card.decimals)],
        textStyle: { color: '#c8d5e4', fontSize: 15 },
        inRange: { color: ['#1b3d63', '#2c79bd', '#5fb3f0', '#bfe6ff'] }
      };
      if (!config.kiosk && viewer.national) {
        holder.appendChild(h('div', { class: 'map-hint', text: msg('wall.map_click') }));
      }
      // beside the map: the highest and the lowest provinces, named
      var ranked = rows.slice().sort(function (a, b) { return b.value - a.value; });
      var few = Math.max(1, Math.min(5, Math.floor(ranked.length / 2)));
      var sideEl = wrap.querySelector('.map-side');
      sideEl.textContent = '';
      sideEl.appendChild(h('h3', { text: msg('wall.map_top') }));
      sideEl.appendChild(rankList(ranked.slice(0, few), card));
      if (ranked.length > few) {
        var lowest = ranked.slice(-few);
        sideEl.appendChild(h('h3', { text: msg('wall.map_bottom') }));
        var low = rankList(lowest, card);
        low.querySelectorAll('.pos').forEach(function (n, i) { n.textContent = String(ranked.length - few + i + 1); });
        sideEl.appendChild(low);
      }
    } else {
      // the level below has no outlines: light up the province and list its units
      var here = (state.lastData && state.lastData.place) || '';
      var code = here.indexOf('province:') === 0 ? here.slice(9) : null;
      data = code ? [{ name: code, value: card.value, itemStyle: { areaColor: '#ffd54f' }, label: { color: '#111' } }] : [];
      var side = wrap.querySelector('.map-side');
      side.textContent = '';
      side.appendChild(h('h3', { text: msg('wall.map_here') }));
      var units = (p.rows || []).slice().sort(function (a, b) {
        return (a.key === null) - (b.key === null) || (b.value === null ? -1 : b.value) - (a.value === null ? -1 : a.value);
      });
      var list = rankList(units, card, Math.min(p.limit || 10, 10));
      side.appendChild(list);
    }
    var chart = chartIn(slot, holder.querySelector('.map-chart'));
    chart.off('click');
    chart.setOption({
      animation: false,
      tooltip: {
        renderMode: 'richText', trigger: 'item', textStyle: { fontSize: 17 },
        formatter: function (it) {
          var name = geo.names[it.name] || it.name;
          var value = it.value === undefined || isNaN(it.value) ? msg('wall.no_data') : fmt(it.value, card.decimals) + (unit ? ' ' + unit : '');
          return name + ': ' + value;
        }
      },
      visualMap: visualMap || undefined,
      series: [{
        type: 'map',
        map: 'vn-provinces',
        nameProperty: 'code',
        roam: false,
        selectedMode: false,
        layoutCenter: ['55%', '48%'],
        layoutSize: '92%',
        data: data,
        itemStyle: { areaColor: byProvince ? '#2a3442' : '#1f2a38', borderColor: '#05090f', borderWidth: 1.5 },
        label: {
          show: false, fontSize: 12, color: '#ffffff', textBorderColor: '#05090f', textBorderWidth: 2,
          formatter: function (it) { return geo.names[it.name] || ''; }
        },
        emphasis: {
          label: { show: true, color: '#111', textBorderWidth: 0, fontSize: 16, fontWeight: 'bold' },
          itemStyle: { areaColor: '#ffd54f' }
        }
      }]
    }, true);
    sizeMapLabels(chart, geo);
    if (byProvince) {
      chart.on('click', function (it) {
        if (it && it.componentType === 'series' && it.name) setPlace('province:' + it.name);
      });
    }
    chart.resize();
    window.__wallCharts.map = chart;
  }

  // Province names are written on the map only where a province is wide enough to hold them.
  function sizeMapLabels(chart, geo) {
    var cell = geo.cell;
    if (!cell) return;
    var a = chart.convertToPixel({ seriesIndex: 0 }, [cell[0], cell[1]]);
    var b = chart.convertToPixel({ seriesIndex: 0 }, [cell[2], cell[1]]);
    if (!a || !b) return;
    var width = Math.abs(b[0] - a[0]);
    if (width < 60) return;
    chart.setOption({ series: [{ label: { show: true, fontSize: Math.max(11, Math.min(20, width / 6)) } }] });
  }

  // The live ticker: newest first, drawn into every ticker panel of the scene
  var timeFmt = hmFmt;
  function tickerItem(event, withId) {
    var sev = ['critical', 'major', 'minor', 'warning', 'info'].indexOf(event.severity) >= 0 ? event.severity : 'info';
    var at = new Date(event.at);
    return h('span', Object.assign({ class: 'ticker-item', 'data-severity': sev }, withId ? { 'data-testid': 'ticker-item', 'data-id': event.id } : { 'aria-hidden': 'true' }),
      h('time', { datetime: event.at, text: isNaN(at) ? '' : timeFmt.format(at) }),
      h('span', { class: 'sev sev-' + sev }, h('span', { class: 'shape', 'aria-hidden': 'true' }), msg('wall.sev.' + sev)),
      event.subject ? h('span', { class: 'subject', text: event.subject }) : null,
      h('span', { class: 'message', text: event.message || '' }));
  }

  function drawTicker(slot, p) {
    var ticker = slot.body.querySelector(':scope > .ticker');
    if (!ticker) {
      slot.body.textContent = '';
      ticker = h('div', { class: 'ticker' + (p.h >= 2 ? ' vertical' : ''), 'data-testid': 'ticker', 'aria-live': 'polite' },
        h('div', { class: 'ticker-label' }, h('span', { class: 'dot', 'aria-hidden': 'true' }), msg('wall.ticker.title')),
        h('div', { class: 'ticker-view' }, h('div', { class: 'ticker-track' })));
      slot.body.appendChild(ticker);
    }
    fillTicker(slot);
  }

  function fillTicker(slot) {
    var ticker = slot.body.querySelector('.ticker');
    if (!ticker) return;
    ticker.setAttribute('data-live', state.live);
    var track = ticker.querySelector('.ticker-track');
    track.textContent = '';
    track.classList.remove('scrolling');
    var copy = h('div', { class: 'ticker-copy' });
    if (state.live === 'lost') copy.appendChild(h('span', { class: 'ticker-lost', text: msg('wall.ticker.lost') }));
    if (!state.events.length) {
      copy.appendChild(h('span', { class: 'ticker-empty', text: msg('wall.ticker.empty') }));
    }
    var vertical = ticker.classList.contains('vertical');
    state.events.slice(0, vertical ? 12 : MAX_EVENTS).forEach(function (e) { copy.appendChild(tickerItem(e, true)); });
    track.appendChild(copy);
    fitTicker(slot);
  }

  // Scroll only when the line is longer than the panel; a second copy makes the loop seamless.
  function fitTicker(slot) {
    var ticker = slot.body.querySelector('.ticker');
    if (!ticker || ticker.classList.contains('vertical')) return;
    var view = ticker.querySelector('.ticker-view');
    var track = ticker.querySelector('.ticker-track');
    var first = track.querySelector('.ticker-copy');
    if (!first) return;
    track.querySelectorAll('.ticker-copy.dup').forEach(function (n) { n.remove(); });
    track.classList.remove('scrolling');
    var width = first.scrollWidth;
    if (width <= view.clientWidth || !state.events.length) return;
    var dup = h('div', { class: 'ticker-copy dup', 'aria-hidden': 'true' });
    state.events.slice(0, MAX_EVENTS).forEach(function (e) { dup.appendChild(tickerItem(e, false)); });
    track.appendChild(dup);
    var seconds = Math.max(20, width / 80);
    track.style.setProperty('--dur', seconds.toFixed(1) + 's');
    // the phase follows the wall clock, so a line spread over several screens stays joined
    track.style.animationDelay = (-((now() / 1000) % seconds)).toFixed(2) + 's';
    void track.offsetWidth;
    track.classList.add('scrolling');
  }

  function refreshTickers() {
    state.slots.forEach(function (slot) { if (slot.data && slot.data.kind === 'ticker') fillTicker(slot); });
  }

  function addEvent(event) {
    if (!event || event.id === undefined) return;
    if (state.events.some(function (e) { return e.id === event.id; })) return;
    state.events.push(event);
    state.events.sort(function (a, b) { return b.id - a.id; });
    state.events = state.events.slice(0, MAX_EVENTS);
  }

  var liveTimer = null;
  function setLive(value) {
    state.live = value;
    document.body.setAttribute('data-live', value);
    state.slots.forEach(function (slot) {
      var ticker = slot.body.querySelector('.ticker');
      if (!ticker) return;
      var was = ticker.getAttribute('data-live');
      ticker.setAttribute('data-live', value);
      if ((was === 'lost') !== (value === 'lost')) fillTicker(slot);
    });
  }

  function connectLive() {
    if (!window.EventSource) return;
    var source = new EventSource('/api/live');
    var pending = null;
    source.addEventListener('open', function () { setLive('open'); });
    source.addEventListener('alert', function (ev) {
      var event;
      try { event = JSON.parse(ev.data); } catch (e) { return; }
      addEvent(event);
      if (event && typeof event.kind === 'string' && event.kind.indexOf('directive.') === 0) refreshBoardSoon();
      // a replay of missed events arrives as a burst: draw once
      clearTimeout(pending);
      pending = setTimeout(refreshTickers, 60);
    });
    source.addEventListener('data', function () { refreshSoon(); });
    source.addEventListener('error', function () {
      setLive('lost');
      if (source.readyState === EventSource.CLOSED) {
        // the browser gave up (e.g. the session ended): try again ourselves
        clearTimeout(liveTimer);
        liveTimer = setTimeout(connectLive, 10000);
      }
    });
  }

  // Directives: the open ones with units still silent. One answer serves every directives
  // panel of the scene; it is read again on a directive.* event and at most every 5 s else.
  var board = { data: null, at: 0, inflight: null, timer: null };

  function loadBoard(force) {
    if (!force && board.data && Date.now() - board.at < 5000) return Promise.resolve(board.data);
    if (board.inflight) return board.inflight;
    board.inflight = getJSON('/api/directives/board?limit=40&lang=' + lang).then(function (data) {
      board.data = data;
      board.at = Date.now();
      board.inflight = null;
      return data;
    }, function (error) {
      board.inflight = null;
      throw error;
    });
    return board.inflight;
  }

  function directivesSlots() {
    return state.slots.filter(function (slot) { return slot.data && slot.data.kind === 'directives'; });
  }

  function refreshBoardSoon() {
    if (!directivesSlots().length) return;
    clearTimeout(board.timer);
    board.timer = setTimeout(function () {
      loadBoard(true).then(function () {
        directivesSlots().forEach(function (slot) { draw(slot); });
      }, function () { /* the panel keeps what it shows; the next event tries again */ });
    }, 500);
  }

  function drawDirectives(slot, p) {
    return loadBoard(false).then(function (data) {
      if (slot.data !== p) return;  // redrawn meanwhile
      paintDirectives(slot, p, data);
    });
  }

  function silentUnits(d, labels, few) {
    var names = (d.silent_units || []).slice(0, few).map(function (u) { return u.name; });
    var rest = d.silent - names.length;
    return names.join(', ') + (rest > 0 ? ' ' + labels.more.replace('{n}', fmt(rest, 0)) : '');
  }

  function directiveRow(d, labels, few) {
    var sev = ['critical', 'major', 'minor', 'warning', 'info'].indexOf(d.severity) >= 0 ? d.severity : 'info';
    return h('li', { class: 'dirs-item', 'data-testid': 'directive-row', 'data-id': d.id, 'data-severity': sev },
      h('span', { class: 'dirs-title' },
        h('span', { class: 'sev sev-' + sev }, h('span', { class: 'shape', 'aria-hidden': 'true' }), msg('wall.sev.' + sev)),
        h('strong', { text: d.title })),
      h('span', { class: 'dirs-pending', 'data-testid': 'directive-pending' },
        labels.pending.replace('{n}', fmt(d.silent, 0)).replace('{total}', fmt(d.recipients, 0)) +
        (d.overdue ? ' · ' + labels.silent_for.replace('{d}', d.silent_for) : '')),
      h('span', { class: 'dirs-units', 'data-testid': 'directive-silent-units', text: silentUnits(d, labels, few) }));
  }

  function paintDirectives(slot, p, data) {
    var labels = data.labels || {};
    var compact = p.h < 2;
    if (!compact) slot.title.textContent = p.title || labels.title || '';
    slot.body.textContent = '';
    var list = (data.directives || []).slice(0, compact ? 1 : Math.max(1, p.limit || 10));
    var wrap = h('div', { class: 'dirs' + (compact ? ' compact' : ''), 'data-testid': 'directives-panel' });
    wrap.appendChild(h('div', { class: 'dirs-label' }, labels.label || '',
      h('span', { class: 'dirs-count', 'data-testid': 'directives-open', text: fmt(data.open || 0, 0) })));
    var body = h('ul', { class: 'dirs-list' });
    if (!list.length) {
      body.appendChild(h('li', { class: 'dirs-empty', 'data-testid': 'directives-empty', text: labels.empty || '' }));
    }
    var few = compact ? Math.max(2, Math.floor(p.w * 0.8)) : Math.max(4, Math.min(16, p.w * 2));
    list.forEach(function (d) { body.appendChild(directiveRow(d, labels, few)); });
    if ((data.open || 0) > list.length) {
      body.appendChild(h('li', { class: 'dirs-others', text: labels.others.replace('{n}', fmt(data.open - list.length, 0)) }));
    }
    wrap.appendChild(body);
    slot.body.appendChild(wrap);
  }

  var DRAWERS = {
    kpi: drawKpi, trend: drawTrend, ranking: drawRanking, map: drawMap, ticker: drawTicker,
    directives: drawDirectives
  };

  // Start ------------------------------------------------------------------------------

  function wireControls() {
    var prev = document.getElementById('btn-prev');
    var next = document.getElementById('btn-next');
    var pause = document.getElementById('btn-pause');
    if (prev) prev.addEventListener('click', function () { step(-1); });
    if (next) next.addEventListener('click', function () { step(1); });
    if (pause) pause.addEventListener('click', togglePause);
    var back = document.getElementById('place-back');
    if (back) back.addEventListener('click', function (ev) { ev.preventDefault(); setPlace(viewer.root); });
    if (!config.kiosk) {
      document.addEventListener('keydown', function (ev) {
        if (ev.target && /INPUT|TEXTAREA|SELECT/.test(ev.target.tagName)) return;
        if (ev.key === 'ArrowRight') step(1);
        else if (ev.key === 'ArrowLeft') step(-1);
        else if (ev.key === ' ') { ev.preventDefault(); togglePause(); }
      });
    }
    fixLangLinks();
  }

  function start() {
    wireControls();
    layout();
    tickClock();
    setInterval(tickClock, 1000);
    loadScenes();
    connectLive();
    setInterval(function () { loadScenes(); refreshData(); }, REFRESH_MS);
    document.addEventListener('visibilitychange', function () {
      if (!document.hidden) { loadScenes(); refreshData(); }
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
