/*
 * Draws the dashboard's charts (progressive enhancement, plain ES2017, no build step).
 *
 * Each chart is a <figure data-chart> holding its Vega-Lite spec in a
 * <script type="application/json"> and an empty <div class="chart-canvas">; the figure
 * also holds the data table, which stays the text alternative. With the vega bundle
 * loaded (window.vegaEmbed), the spec is drawn as SVG into the canvas and the figure
 * gets data-rendered="true". Without it, or when a spec fails, the figure is left as it
 * was: the table still tells everything.
 */
(function () {
  "use strict";

  function readSpec(figure) {
    var source = figure.querySelector('script[type="application/json"]');
    return source ? JSON.parse(source.textContent) : null;
  }

  async function drawChart(figure) {
    var canvas = figure.querySelector(".chart-canvas");
    if (!canvas || figure.dataset.rendered === "true") {
      return;
    }
    try {
      var spec = readSpec(figure);
      if (!spec) {
        return;
      }
      // vega-embed styles its element inline-block, which would give a width:"container"
      // chart no width to fill.
      canvas.style.display = "block";
      canvas.style.width = "100%";
      await window.vegaEmbed(canvas, spec, { renderer: "svg", actions: false });
      figure.dataset.rendered = "true";
      // The chart is drawn: fold its data table (still there for screen readers and
      // for anyone who opens it), unless the table is how one moves on (data-fold="false":
      // the rankings' links to each unit).
      var table = figure.querySelector("details.chart-data");
      if (table && figure.dataset.fold !== "false") {
        table.removeAttribute("open");
      }
    } catch (error) {
      canvas.style.removeProperty("display");
      canvas.style.removeProperty("width");
      if (window.console) {
        window.console.warn("chart not drawn", error);
      }
    }
  }

  function drawAll() {
    if (typeof window.vegaEmbed !== "function") {
      return;
    }
    document.querySelectorAll("figure[data-chart]").forEach(drawChart);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
