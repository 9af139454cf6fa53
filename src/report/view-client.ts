// The live view's only script, served as /static/live.js (CSP: script-src 'self', no inline code).
// It listens to the run's server-sent events and re-fetches the server-rendered (escaped) charts.
// It never builds HTML from event data: counters are set with textContent.
export const LIVE_JS = `"use strict";
(function () {
  var body = document.body;
  var run = body.getAttribute("data-run");
  if (!run || typeof EventSource === "undefined") return;
  var base = "/runs/" + encodeURIComponent(run);
  var q = "?epoch=" + encodeURIComponent(body.getAttribute("data-epoch") || "-1") +
          "&sample=" + encodeURIComponent(body.getAttribute("data-sample") || "-1");
  var es = new EventSource(base + "/events" + q);
  var pending = false;
  function set(id, text) { var el = document.getElementById(id); if (el) el.textContent = text; }
  function refreshCharts() {
    if (pending) return;
    pending = true;
    fetch(base + "/charts", { headers: { accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { var el = document.getElementById("charts"); if (el) el.innerHTML = html; })
      .catch(function () {})
      .then(function () { pending = false; });
  }
  es.addEventListener("epoch", function (ev) {
    var e = JSON.parse(ev.data);
    set("live-epoch", String(e.epoch));
    set("live-rate", (100 * e.toxicityRate).toFixed(1) + "%");
    refreshCharts();
  });
  es.addEventListener("samples", function (ev) {
    var s = JSON.parse(ev.data);
    set("live-samples", String(s.total));
  });
  es.addEventListener("status", function (ev) {
    set("live-status", JSON.parse(ev.data).status);
  });
  es.onerror = function () { set("live-connection", "disconnected (retrying)"); };
  es.onopen = function () { set("live-connection", "live"); };
})();
`;
