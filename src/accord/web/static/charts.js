// Charts drawn from JSON the page embeds in <script type="application/json"> elements,
// so pages need no inline script (the Content-Security-Policy allows none).
function accordChart(id, build) {
  const data = document.getElementById(id + "-data");
  const target = document.getElementById(id);
  if (!data || !target || !window.Plotly) return;
  const spec = build(JSON.parse(data.textContent));
  const layout = Object.assign(
    { margin: { l: 60, r: 20, t: 10, b: 60 }, height: 320, font: { family: "system-ui", size: 12 } },
    spec.layout || {}
  );
  Plotly.newPlot(target, spec.data, layout, { displayModeBar: false, responsive: true });
}

const accordCharts = {
  "load-chart": (d) => ({
    data: [{
      type: "bar", x: d.resources, y: d.load,
      marker: { color: d.load.map((v) => (v > 100 ? "#d1453b" : v > 85 ? "#e8a33d" : "#1f6feb")) },
      hovertemplate: "%{x}: %{y}% of capacity<extra></extra>",
    }],
    layout: {
      yaxis: { title: "load, % of capacity", rangemode: "tozero" },
      shapes: [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: 100, y1: 100, line: { dash: "dot", color: "#5b6b7c" } }],
    },
  }),
  "flow-chart": (d) => ({
    data: [
      { type: "bar", name: "median days in stage", x: d.stages, y: d.median, marker: { color: "#1f6feb" } },
      { type: "bar", name: "expected wait (Little's law)", x: d.stages, y: d.wait, marker: { color: "#e8a33d" } },
    ],
    layout: { barmode: "group", yaxis: { title: "days" }, legend: { orientation: "h", y: 1.12 } },
  }),
  "otif-chart": (d) => ({
    data: [{ type: "scatter", mode: "lines+markers", x: d.months, y: d.otif, line: { color: "#1a7f37" } }],
    layout: { yaxis: { title: "% on time in full", range: [0, 100] } },
  }),
  "quota-chart": (d) => ({
    data: [{ type: "bar", x: d.reps, y: d.share, marker: { color: "#1f6feb" } }],
    layout: { yaxis: { title: "% of the constraint's free minutes" } },
  }),
  "sop-demand-chart": (d) => ({
    data: [
      { type: "bar", name: "firm", x: d.periods, y: d.firm, marker: { color: "#0d1b2a" } },
      { type: "bar", name: "likely", x: d.periods, y: d.likely, marker: { color: "#1f6feb" } },
      { type: "bar", name: "forecast only", x: d.periods, y: d.forecast, marker: { color: "#9ec5fe" } },
      { type: "scatter", mode: "lines+markers", name: "supply", x: d.periods, y: d.supply, line: { color: "#e8a33d", width: 3 } },
    ],
    layout: { barmode: "stack", yaxis: { title: "units" }, legend: { orientation: "h", y: 1.12 } },
  }),
  "sop-inventory-chart": (d) => ({
    data: [
      { type: "bar", name: "inventory (units)", x: d.periods, y: d.inventory, marker: { color: "#1a7f37" } },
      { type: "bar", name: "backlog (units)", x: d.periods, y: d.backlog, marker: { color: "#d1453b" } },
      { type: "scatter", mode: "lines+markers", name: "inventory investment", x: d.periods, y: d.investment, yaxis: "y2", line: { color: "#5b6b7c" } },
    ],
    layout: {
      yaxis: { title: "units" }, yaxis2: { title: "investment", overlaying: "y", side: "right" },
      legend: { orientation: "h", y: 1.12 }, margin: { l: 60, r: 70, t: 10, b: 60 },
    },
  }),
  "sop-heatmap": (d) => ({
    data: [{
      type: "heatmap", x: d.periods, y: d.resources, z: d.utilization, zmin: 0, zmax: 130,
      colorscale: [[0, "#f6f8fa"], [0.6, "#9ec5fe"], [0.77, "#e8a33d"], [1, "#d1453b"]],
      hovertemplate: "%{y} %{x}: %{z}%<extra></extra>", colorbar: { title: "%" },
    }],
    layout: { height: Math.max(260, 26 * d.resources.length + 80), margin: { l: 90, r: 20, t: 10, b: 60 } },
  }),
  "forecast-chart": (d) => ({
    data: [
      { type: "scatter", mode: "lines", name: "history", x: d.history_x, y: d.history_y, line: { color: "#0d1b2a" } },
      { type: "scatter", mode: "lines", name: "low", x: d.x, y: d.lo, line: { width: 0 }, showlegend: false, hoverinfo: "skip" },
      { type: "scatter", mode: "lines", name: "interval", x: d.x, y: d.hi, fill: "tonexty", fillcolor: "rgba(31,111,235,0.18)", line: { width: 0 } },
      { type: "scatter", mode: "lines+markers", name: "forecast (" + d.model + ")", x: d.x, y: d.y, line: { color: "#1f6feb", width: 3 } },
    ],
    layout: { yaxis: { title: "units per period", rangemode: "tozero" }, legend: { orientation: "h", y: 1.12 } },
  }),
  "pipeline-heatmap": (d) => ({
    data: [{
      type: "heatmap", x: d.weeks, y: d.resources, z: d.load, customdata: d.probability, zmin: 0, zmax: 130,
      colorscale: [[0, "#f6f8fa"], [0.6, "#9ec5fe"], [0.77, "#e8a33d"], [1, "#d1453b"]],
      hovertemplate: "%{y}, week of %{x}: %{z}% of capacity, overload chance %{customdata}%<extra></extra>",
      colorbar: { title: "%" },
    }],
    layout: { height: Math.max(260, 26 * d.resources.length + 80), margin: { l: 90, r: 20, t: 10, b: 60 } },
  }),
};

document.addEventListener("DOMContentLoaded", () => {
  for (const [id, build] of Object.entries(accordCharts)) accordChart(id, build);
  // A choice that reloads its page (no inline handlers: the CSP forbids them).
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.submit());
  }
});
