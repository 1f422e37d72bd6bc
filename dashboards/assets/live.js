// Live updates for the dashboards: one websocket to /dashboard/live, reconnected with backoff.
// Each message names the topics that changed, each with the gu of its events
// ({"topics": {"cases": ["11680"], "log": []}, "at": ...}). A message that cannot change the page
// shown (its topics and gu are on #page-body, set by the router) is dropped here; any other is
// handed to the `live` store, whose callback re-renders the page.
// The socket's state goes to the `live-state` store (the on-screen status line, role=status).
// While paused, messages are dropped; resuming asks for one render. The socket is opened by the
// first run of the `pauseLive` clientside callback, once Dash has rendered the layout (stores set
// before that are lost).
(function () {
  "use strict";
  var paused = false;
  var delay = 1000;
  var MAX_DELAY = 30000;
  var socket = null;

  function setProps(id, props) {
    if (window.dash_clientside && window.dash_clientside.set_props) {
      window.dash_clientside.set_props(id, props);
    }
  }

  function concerns(message) {
    var body = document.getElementById("page-body");
    if (!body || !message || typeof message.topics !== "object") return true;
    var shown = (body.getAttribute("data-topics") || "").split(" ");
    var gu = body.getAttribute("data-gu");
    return Object.keys(message.topics).some(function (topic) {
      if (shown.indexOf(topic) < 0) return false;
      var districts = message.topics[topic];
      return !gu || !Array.isArray(districts) || districts.length === 0 || districts.indexOf(gu) >= 0;
    });
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(scheme + "//" + window.location.host + "/dashboard/live");
    socket.onopen = function () {
      delay = 1000;
      setProps("live-state", { data: "open" });
    };
    socket.onmessage = function (event) {
      if (paused) return;
      var message;
      try {
        message = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (concerns(message)) setProps("live", { data: message });
    };
    socket.onclose = function () {
      setProps("live-state", { data: "closed" });
      var wait = delay + Math.floor(Math.random() * 500);
      delay = Math.min(delay * 2, MAX_DELAY);
      window.setTimeout(connect, wait);
    };
  }

  // The header's gu <select> (a native control: see dashboards/frame.py) drives the `gu` store.
  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "gu-select") {
      setProps("gu", { data: event.target.value || null });
    }
  });

  // Figures over a moving window ("readings in the last minute", "sensors reporting in the
  // last 10 minutes") change as time passes with no event: one render every 30 s (the slowest
  // the issue allows for polling) keeps them true; shared renders make it cheap.
  var REFRESH_MS = 30000;
  window.setInterval(function () {
    if (!paused && socket !== null) setProps("live", { data: { topics: { "*": [] }, at: Date.now() } });
  }, REFRESH_MS);

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    civic: {
      documentLanguage: function (lang, title) {
        document.documentElement.lang = lang === "en" ? "en" : "ko";
        if (title) document.title = title;
        return lang || "ko";
      },
      pauseLive: function (isPaused) {
        if (socket === null) connect();
        var was = paused;
        paused = Boolean(isPaused);
        if (was && !paused) {
          setProps("live", { data: { topics: { "*": [] }, at: Date.now() } });
        }
        return paused;
      },
    },
  });
})();
