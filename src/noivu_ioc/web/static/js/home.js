// Draws the personnel-by-province bar chart from the JSON the server embedded in the page,
// and again whenever htmx swaps in fresh figures.
(function () {
  function draw() {
    var holder = document.getElementById("chart-provinces");
    var source = document.getElementById("data-provinces");
    if (!holder || !source || !window.echarts) return;
    var rows = JSON.parse(source.textContent || "[]").slice().reverse();
    var locale = document.documentElement.lang === "en" ? "en-GB" : "vi-VN";
    var number = new Intl.NumberFormat(locale);
    var chart = echarts.getInstanceByDom(holder) || echarts.init(holder);
    chart.setOption({
      grid: { left: 110, right: 24, top: 8, bottom: 24 },
      tooltip: { renderMode: "richText", trigger: "axis", axisPointer: { type: "shadow" },
                 valueFormatter: function (v) { return number.format(v); } },
      xAxis: { type: "value", axisLabel: { formatter: function (v) { return number.format(v); } } },
      yAxis: { type: "category", data: rows.map(function (r) { return r.name; }),
               axisLabel: { fontSize: 11 } },
      series: [{ type: "bar", data: rows.map(function (r) { return r.persons; }),
                 itemStyle: { color: "#b3261e" } }],
      animation: false
    }, true);
    holder.style.height = Math.max(120, rows.length * 18 + 40) + "px";
    chart.resize();
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSwap", draw);
  window.addEventListener("resize", function () {
    var holder = document.getElementById("chart-provinces");
    var chart = holder && window.echarts && echarts.getInstanceByDom(holder);
    if (chart) chart.resize();
  });
})();
