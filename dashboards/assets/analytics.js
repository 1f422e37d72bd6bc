// The analytics page's review queue: a click on a review's approve or reject button hands the
// review, the decision and that row's note and department (native controls, read here) to the
// `analytics-request` store; the server callback runs the mutation at the viewer's key
// (dashboards/pages/analytics.py).
// What the reader typed or chose survives a live render (controls marked `data-keep`,
// assets/keep.js).
(function () {
  "use strict";

  function valueOf(id) {
    var element = document.getElementById(id);
    return element && typeof element.value === "string" ? element.value : "";
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    civicAnalytics: {
      said: function (outcome) {
        return outcome && typeof outcome.text === "string" ? outcome.text : "";
      },
      request: function (clicks) {
        var context = window.dash_clientside.callback_context;
        var trigger = context && context.triggered_id;
        var pressed = context && context.triggered && context.triggered[0];
        if (!trigger || typeof trigger !== "object" || !pressed || !pressed.value) {
          return window.dash_clientside.no_update;
        }
        var review = String(trigger.review || "");
        var department = valueOf("analytics-department-" + review);
        return {
          review: review,
          decision: trigger.decision,
          note: valueOf("analytics-note-" + review),
          department: department || null,
          at: Date.now(),
        };
      },
    },
  });
})();
