// The indicator console: the place picker of the library, and on the drill-down page the
// cut (bar chart) and the trend (line with the target), drawn with the vendored ECharts from
// the JSON the server embedded in the page. Selects marked data-autosubmit reload the page.
(function () {
  'use strict';

  var lang = document.documentElement.lang === 'en' ? 'en' : 'vi';
  var locale = lang === 'en' ? 'en-GB' : 'vi-VN';
  var COLOURS = { green: '#2e7d32', amber: '#b26a00', red: '#b3261e', none: '#8d8782' };
  document.documentElement.classList.add('js');

  function formatter(decimals) {
    var f = new Intl.NumberFormat(locale, {
      minimumFractionDigits: decimals, maximumFractionDigits: decimals
    });
    return function (v) { return v === null || v === undefined ? '–' : f.format(v); };
  }

  // Axis ticks: as many decimals as the tick needs (14,5 beside 15), never padded.
  var axisFormat = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  function axisNumber(v) { return axisFormat.format(v); }

  function targetText(ind) {
    return formatter(Number.isInteger(ind.target) ? 0 : ind.decimals)(ind.target);
  }

  function readJSON(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    try { return JSON.parse(el.textContent || 'null'); } catch (e) { return null; }
  }

  function getJSON(url) {
    return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
  }

  // Selects that reload the page as soon as they change
  function autosubmit() {
    document.querySelectorAll('select[data-autosubmit]').forEach(function (sel) {
      sel.addEventListener('change', function () {
        if (sel.value === '') return;
        if (sel.form.requestSubmit) sel.form.requestSubmit(); else sel.form.submit();
      });
    });
  }

  // The library's place picker: the provinces (national viewers), or the communes of the
  // viewer's province; the server checks the scope again whatever is sent.
  function picker() {
    var form = document.querySelector('form.picker');
    if (!form) return;
    var select = form.querySelector('select');
    var ds = form.dataset;
    var provinces = (ds.provinces || '').split(',').filter(Boolean);
    var current = ds.place;

    function option(value, label, parent) {
      var o = document.createElement('option');
      o.value = value; o.textContent = label;
      if (value === current) o.selected = true;
      (parent || select).appendChild(o);
      return o;
    }
    function communes(code, label) {
      return getJSON('/api/units/provinces/' + code + '/communes').then(function (list) {
        var group = document.createElement('optgroup');
        group.label = label;
        list.forEach(function (u) { option('commune:' + u.code, u.name, group); });
        select.appendChild(group);
      });
    }

    var province = ds.province || null;
    var tasks = [];
    if (ds.national === 'true') {
      tasks.push(getJSON('/api/units/provinces').then(function (list) {
        select.innerHTML = '';
        option('nation', ds.labelNation);
        list.forEach(function (u) { option('province:' + u.code, u.name); });
        if (!province) return null;
        var label = select.querySelector('option[value="province:' + province + '"]');
        return communes(province, ds.labelCommunes + (label ? ' · ' + label.textContent : ''));
      }));
    } else if (provinces.length) {
      tasks.push(getJSON('/api/units/provinces').then(function (list) {
        var keep = select.querySelector('option');
        select.innerHTML = '';
        var mine = list.filter(function (u) { return provinces.indexOf(u.code) >= 0; });
        mine.forEach(function (u) { option('province:' + u.code, u.name); });
        if (!mine.length && keep) select.appendChild(keep);
        return Promise.all(mine.map(function (u) { return communes(u.code, ds.labelCommunes + ' · ' + u.name); }));
      }));
    }
    Promise.all(tasks).catch(function () { /* the server-rendered option stays */ }).then(function () {
      var chosen = select.querySelector('option[value="' + current + '"]');
      if (chosen) chosen.selected = true;
    });
    select.addEventListener('change', function () {
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    });
  }

  // The labels of the code dimensions the indicator can be cut by, from the data dictionary
  function cutLabels(data) {
    var entity = data.indicator.entities[0];
    var targets = document.querySelectorAll('[data-cut-label]');
    if (!entity || !targets.length) return;
    getJSON('/api/catalog/entities/' + encodeURIComponent(entity)).then(function (e) {
      var labels = {};
      e.fields.forEach(function (f) { labels[f.name] = lang === 'en' ? f.label_en : f.label_vi; });
      targets.forEach(function (el) {
        var name = el.dataset.cutLabel;
        if (labels[name] && el.textContent.trim() === name) el.textContent = labels[name];
      });
      var th = document.querySelector('[data-testid=cut-table] thead th:nth-child(2)');
      if (th && labels[data.cut.by] && th.textContent.trim() === data.cut.by) th.textContent = labels[data.cut.by];
    }).catch(function () { /* the field names stay */ });
  }

  var MAX_BARS = 30;

  function cutChart(data, msgs) {
    var holder = document.getElementById('cut-chart');
    if (!holder || !window.echarts) return null;
    var ind = data.indicator;
    var fmt = formatter(ind.decimals);
    var rows = data.cut.rows.filter(function (r) { return r.value !== null; });
    var shown = rows.slice(0, MAX_BARS);
    if (rows.length > shown.length) {
      var note = document.getElementById('cut-chart-note');
      note.textContent = msgs.top_n.replace('{n}', shown.length).replace('{total}', rows.length);
      note.hidden = false;
    }
    shown = shown.slice().reverse();  // the largest on top
    holder.style.height = Math.max(160, shown.length * 22 + 50) + 'px';
    var narrow = holder.clientWidth < 480;
    var chart = echarts.init(holder);
    var series = {
      type: 'bar',
      barMaxWidth: 22,
      data: shown.map(function (r) {
        return { value: r.value, itemStyle: { color: COLOURS[r.status || 'none'] } };
      }),
      label: { show: !narrow, position: 'right', fontSize: 11,
               formatter: function (p) { return fmt(p.value); } }
    };
    var hasTarget = ind.target !== null && ind.target !== undefined;
    if (hasTarget) {
      series.markLine = {
        symbol: 'none', silent: true, lineStyle: { type: 'dashed', color: '#1d1b1a' },
        label: { formatter: msgs.target + ' ' + targetText(ind), position: 'end', align: 'right', fontSize: 11 },
        data: [{ xAxis: ind.target }]
      };
    }
    chart.setOption({
      animation: false,
      grid: { left: 8, right: narrow ? 16 : 56, top: 24, bottom: 24, containLabel: true },
      tooltip: { renderMode: 'richText', trigger: 'axis', axisPointer: { type: 'shadow' },
                 valueFormatter: function (v) { return fmt(v) + (ind.unit_label ? ' ' + ind.unit_label : ''); } },
      xAxis: { type: 'value',
               max: hasTarget ? function (v) { return v.max >= ind.target ? null : niceUp(ind.target * 1.05); } : null,
               axisLabel: { formatter: axisNumber, fontSize: 11 } },
      yAxis: { type: 'category', data: shown.map(function (r) { return r.label; }),
               axisLabel: { fontSize: 11, width: narrow ? 110 : 170, overflow: 'truncate' } },
      series: [series]
    });
    chart.on('click', function (p) {
      var row = shown[p.dataIndex];
      if (row && row.place) {
        var link = document.querySelector('[data-testid=cut-table] a[data-place="' + row.place + '"]');
        if (link) window.location.href = link.href;
      }
    });
    return chart;
  }

  // Round a bound outwards to a two-digit step, so that an axis stretched to the target
  // still has round labels.
  function step(v) {
    var a = Math.abs(v) || 1;
    return Math.pow(10, Math.floor(Math.log10(a)) - 1) * 5;
  }
  function niceUp(v) { var s = step(v); return Math.ceil(v / s) * s; }
  function niceDown(v) { var s = step(v); return Math.floor(v / s) * s; }

  function trendChart(data, msgs) {
    var holder = document.getElementById('trend-chart');
    if (!holder || !window.echarts) return null;
    var ind = data.indicator;
    var fmt = formatter(ind.decimals);
    var rows = data.trend.slice().sort(function (a, b) { return a.key - b.key; });
    var chart = echarts.init(holder);
    var values = rows.map(function (r) { return r.value; });
    var series = {
      name: msgs.value, type: 'line', data: values, symbol: 'circle', symbolSize: 8,
      lineStyle: { width: 2.5, color: '#8c1d18' },
      itemStyle: { color: function (p) { return COLOURS[rows[p.dataIndex].status || 'none']; } },
      label: { show: rows.length <= 8, position: 'top', fontSize: 11,
               formatter: function (p) { return fmt(p.value); } }
    };
    var min = null;
    var max = null;
    values.forEach(function (v) {
      if (v === null) return;
      min = min === null ? v : Math.min(min, v);
      max = max === null ? v : Math.max(max, v);
    });
    if (ind.target !== null && ind.target !== undefined) {
      series.markLine = {
        symbol: 'none', silent: true, lineStyle: { type: 'dashed', color: '#2e7d32', width: 1.5 },
        label: { formatter: msgs.target + ' ' + targetText(ind), position: 'insideEndTop', fontSize: 11 },
        data: [{ yAxis: ind.target }]
      };
      max = max === null ? ind.target : Math.max(max, ind.target);
      min = min === null ? ind.target : Math.min(min, ind.target);
    }
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 24, top: 30, bottom: 24, containLabel: true },
      tooltip: { renderMode: 'richText', trigger: 'axis',
                 valueFormatter: function (v) { return fmt(v) + (ind.unit_label ? ' ' + ind.unit_label : ''); } },
      xAxis: { type: 'category', boundaryGap: rows.length < 3, data: rows.map(function (r) { return String(r.key); }) },
      yAxis: { type: 'value', scale: true,
               max: max === null ? null : function (v) { return v.max >= max ? null : niceUp(max); },
               min: min === null ? null : function (v) { return v.min <= min ? null : niceDown(min); },
               axisLabel: { formatter: axisNumber } },
      series: [series]
    });
    return chart;
  }

  function detail() {
    var data = readJSON('indicator-data');
    if (!data) return;
    var msgs = readJSON('indicator-msgs') || {};
    var charts = [cutChart(data, msgs), trendChart(data, msgs)].filter(Boolean);
    cutLabels(data);
    window.addEventListener('resize', function () {
      charts.forEach(function (c) { c.resize(); });
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    autosubmit();
    picker();
    detail();
  });
})();
