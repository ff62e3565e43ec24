/* Draws every [data-chart] element from the JSON its data-chart attribute names
   (emitted by Django's json_script), on load and after each htmx swap.
   No inline scripts: the page's CSP forbids them. Plotly comes from our own
   static files (static/vendor/plotly), loaded only on pages with charts. */
(function () {
  "use strict";

  function draw() {
    if (!window.Plotly) return;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) return;
      var text = source.textContent;
      // A swap that left this chart's data alone must not redraw it (and lose the range).
      if (el._chartSource === text) return;
      el._chartSource = text;
      var fig = JSON.parse(text);
      Plotly.react(el, fig.data, fig.layout, fig.config || {});
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSwap", draw);
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
})();
