// Sparklines of run durations on the connection monitor, and the runs chart of a source.
(function () {
  'use strict';

  function sparklines(root) {
    if (!window.echarts) return;
    root.querySelectorAll('.spark[data-durations]').forEach(function (el) {
      var values = JSON.parse(el.dataset.durations || '[]');
      if (!values.length) return;
      var chart = echarts.getInstanceByDom(el) || echarts.init(el, null, { renderer: 'svg' });
      chart.setOption({
        animation: false,
        grid: { left: 4, right: 4, top: 4, bottom: 4 },
        xAxis: { type: 'category', show: false, data: values.map(function (_, i) { return i; }) },
        yAxis: { type: 'value', show: false, min: 0 },
        // With few runs a line has nothing to join: mark each run.
        series: [{ type: 'line', data: values, symbol: values.length < 4 ? 'circle' : 'none',
          symbolSize: 5, itemStyle: { color: '#8c1d18' }, lineStyle: { width: 1.5, color: '#8c1d18' },
          areaStyle: { color: 'rgba(179,38,30,.12)' } }],
      });
    });
  }

  function runsChart() {
    var el = document.getElementById('runs-chart');
    if (!el || !window.echarts) return;
    var runs = JSON.parse(el.dataset.runs || '[]');
    var labels = JSON.parse(el.dataset.labels || '{}');
    if (!runs.length) { el.style.minHeight = '0'; return; }
    echarts.init(el).setOption({
      animation: false,  // a monitor shows the state now, without a growing effect
      tooltip: { renderMode: 'richText', trigger: 'axis' },
      legend: { top: 0, right: 10, data: [labels.seconds, labels.read, labels.quarantined] },
      grid: { left: 50, right: 60, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: runs.map(function (r) { return '#' + r.id; }) },
      yAxis: [{ type: 'value', name: 's' }, { type: 'value', name: '' }],
      series: [
        { name: labels.seconds, type: 'line', data: runs.map(function (r) { return r.seconds; }), itemStyle: { color: '#8c1d18' } },
        { name: labels.read, type: 'bar', yAxisIndex: 1, data: runs.map(function (r) { return r.read; }), itemStyle: { color: '#cfd8dc' } },
        { name: labels.quarantined, type: 'bar', yAxisIndex: 1, data: runs.map(function (r) { return r.quarantined; }), itemStyle: { color: '#b26a00' } },
      ],
    });
  }

  document.addEventListener('DOMContentLoaded', function () { sparklines(document); runsChart(); });
  document.body.addEventListener('htmx:afterSwap', function (ev) { sparklines(ev.target); });
})();
