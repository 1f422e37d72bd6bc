// The analytics page's hotspot map (dashboards/pages/analytics_predictions.py builds its spec
// with pydeck): drawn as the map page draws its own (map.js, window.civicDeck.drawIn), from our
// own origin, over our own gu polygons; no tiles. The canvas is an image named by the page; the
// table under it holds the same cells. Also: a link to a review (`#review-<id>`) that opens the
// page scrolls to its row once the queue is rendered.
(function () {
  "use strict";
  var state = { deck: null, host: null, boundsKey: null };

  function tooltip(info) {
    return info.object && info.object.label ? { text: info.object.label } : null;
  }

  function draw(spec) {
    if (!spec || !window.civicDeck) return;
    var own = { id: "hotspot-deck" };
    window.civicDeck.drawIn(state, "hotspot-canvas", spec, "", own, tooltip, function (host) {
      var canvas = host.querySelector("canvas");
      if (!canvas) return;
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", (spec.labels && spec.labels.canvas) || "");
    });
  }

  // A review link opens the page before the queue is rendered: scroll to its row once it is.
  var sought = /^#review-/.test(window.location.hash) ? window.location.hash.slice(1) : null;
  if (sought) {
    var observer = new MutationObserver(function () {
      var row = document.getElementById(sought);
      if (!row) return;
      observer.disconnect();
      row.scrollIntoView({ block: "center" });
    });
    observer.observe(document.documentElement, { childList: true, subtree: true });
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    civicPredictions: {
      draw: function (spec) {
        draw(spec);
        return spec && spec.layers ? String(spec.layers.length) : "0";
      },
    },
  });
})();
