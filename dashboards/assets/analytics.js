// The analytics page's review queue: a click on a review's approve or reject button hands the
// review, the decision and that row's note and department (native controls, read here) to the
// `analytics-request` store; the server callback runs the mutation at the viewer's key
// (dashboards/pages/analytics.py).
// A live update renders the page anew, which replaces those controls: what the reader typed or
// chose in a control marked `data-keep` is kept here by id and put back, with the focus and the
// caret, into the control that replaces it, so an update never takes a half-written note away.
(function () {
  "use strict";
  var kept = {};
  var focused = null;

  function remember(event) {
    var target = event.target;
    if (target && target.id && target.hasAttribute && target.hasAttribute("data-keep")) {
      kept[target.id] = target.value;
    }
  }
  document.addEventListener("input", remember);
  document.addEventListener("change", remember);
  document.addEventListener("focusin", function (event) {
    var target = event.target;
    focused = target && target.hasAttribute && target.hasAttribute("data-keep") ? target : null;
  });

  function restore() {
    Object.keys(kept).forEach(function (id) {
      var element = document.getElementById(id);
      if (element && element.value !== kept[id]) element.value = kept[id];
    });
    if (focused && !focused.isConnected) {
      var replaced = document.getElementById(focused.id);
      var caret = typeof focused.selectionStart === "number" ? focused.selectionStart : null;
      focused = replaced;
      if (replaced) {
        replaced.focus();
        if (caret !== null && typeof replaced.setSelectionRange === "function") {
          replaced.setSelectionRange(caret, caret);
        }
      }
    }
  }
  new MutationObserver(restore).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });

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
