// Draws the dashboard charts with ECharts (a local static file; see supervision/assets.py).
const script = document.getElementById("sv-script");
const echarts = await import(script.dataset.echarts);
const data = JSON.parse(document.getElementById("sv-charts").textContent);
const palette = ["#1f5fbf", "#1f8a4c", "#b26a00", "#c0392b", "#6b2fb3", "#0f8b8d", "#8a5a00", "#4a4f57"];

function option(kind, rows) {
  const names = rows.map((r) => r[0]);
  const values = rows.map((r) => r[1]);
  if (!rows.length) {
    return { title: { text: "本期无数据", left: "center", top: "middle", textStyle: { color: "#646a73", fontSize: 14 } } };
  }
  if (kind === "pie") {
    return {
      color: palette,
      tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
      legend: { type: "scroll", bottom: 0 },
      series: [{ type: "pie", radius: ["35%", "62%"], center: ["50%", "45%"], label: { show: false },
                 data: rows.map((r) => ({ name: r[0], value: r[1] })) }],
    };
  }
  return {
    color: palette,
    tooltip: { trigger: "axis" },
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: names.slice().reverse(), axisLabel: { width: 110, overflow: "truncate" } },
    series: [{ type: "bar", data: values.slice().reverse(), barMaxWidth: 18, label: { show: true, position: "right" } }],
  };
}

const charts = [];
for (const el of document.querySelectorAll("[data-chart]")) {
  const chart = echarts.init(el, null, { renderer: "svg" });
  chart.setOption(option(el.dataset.type, data[el.dataset.chart] || []));
  el.dataset.ready = "1";
  charts.push(chart);
}
window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
