/* Draws every [data-chart] element from the JSON its data-chart attribute names
   (emitted by Django's json_script), on load and after each htmx swap.
   No inline scripts: the page's CSP forbids them. Plotly comes from our own
   static files (static/vendor/plotly), loaded only on pages with charts.

   A chart marked data-on-demand (the patient's course page) arrives drawn as
   static SVG by the server; plotly.js (1.2 MB, about a second of a phone's
   CPU to start) is fetched from data-plotly and the interactive chart drawn
   only when the patient touches or points at it, so the page opens at once.
   A tap on one of the static range buttons opens the chart on that range. */
(function () {
  "use strict";

  var loading = null;

  function loadPlotly(src) {
    if (window.Plotly) return Promise.resolve();
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.onload = resolve;
        script.onerror = function () { loading = null; reject(); };
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function drawOne(el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source) return;
    var text = source.textContent;
    // A swap that left this chart's data alone must not redraw it (and lose the range).
    if (el._chartSource === text) return;
    el._chartSource = text;
    var fig = JSON.parse(text);
    var preview = el.querySelector(".timeline-static");
    if (preview) preview.remove();
    Plotly.react(el, fig.data, fig.layout, fig.config || {});
  }

  function draw() {
    if (!window.Plotly) return;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.hasAttribute("data-on-demand") && !el._wanted) return;
      drawOne(el);
    });
  }

  // Press the interactive chart's own range button, so the range means what it does there.
  function pressRange(el, label) {
    el.querySelectorAll(".rangeselector .button").forEach(function (button) {
      if (button.textContent.trim() === label) {
        button.dispatchEvent(new MouseEvent("click", { bubbles: true }));
      }
    });
  }

  function open(el, range) {
    if (el._wanted) return;
    el._wanted = true;
    el.classList.add("chart-loading");
    loadPlotly(el.getAttribute("data-plotly")).then(function () {
      drawOne(el);
      if (range) pressRange(el, range);
      var hint = el.parentNode.querySelector(".chart-hint");
      if (hint) hint.remove();
    }, function () {
      el._wanted = false;  // no signal: the static timeline stays; try again on the next tap
    }).then(function () { el.classList.remove("chart-loading"); });
  }

  function onDemand() {
    document.querySelectorAll("[data-chart][data-on-demand]").forEach(function (el) {
      if (el._onDemand) return;
      el._onDemand = true;
      var hint = el.parentNode.querySelector(".chart-hint");
      if (hint) hint.hidden = false;
      function wanted(event) {
        var button = event.target.closest && event.target.closest("[data-range]");
        open(el, button ? button.getAttribute("data-range") : null);
      }
      el.addEventListener("pointerdown", wanted);
      el.addEventListener("click", wanted);
      // A mouse pointing at it wants the hover details too.
      el.addEventListener("pointerenter", function (event) {
        if (event.pointerType === "mouse") open(el, null);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { onDemand(); draw(); });
  document.addEventListener("htmx:afterSwap", function () { onDemand(); draw(); });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
})();
