// What the reader did on a page survives its renders. Dash builds the page's elements anew on
// every render (a live update, the 30 s refresh, a measure chosen), so whatever the server does
// not know would be lost every time. Kept here and put back into the element that replaces the
// old one:
// - what was typed or chosen in a control marked `data-keep` (the analytics page's review notes
//   and departments), by the control's id, so an update never takes a half-written note away;
// - whether each table alternative (`<details>`) is open, by the nearest id around it and its
//   place there (`panel-sensors/0`), so a table the reader opened stays open;
// - the focus (and the caret) on an element with an id, so a keyboard or screen reader user is
//   not thrown back to the top of the page.
// The map's canvas is kept by map.js itself (one deck, moved into each new container).
(function () {
  "use strict";
  var values = {};
  var opened = {};
  var focused = null;

  function remember(event) {
    var target = event.target;
    if (target && target.id && target.hasAttribute && target.hasAttribute("data-keep")) {
      values[target.id] = target.value;
    }
  }
  document.addEventListener("input", remember);
  document.addEventListener("change", remember);

  // "panel-sensors/0": the nearest id around `details` and its place among that element's
  // `<details>`; null when nothing around it has an id.
  function detailsKey(details) {
    var around = details.parentElement && details.parentElement.closest("[id]");
    if (!around) return null;
    return around.id + "/" + Array.prototype.indexOf.call(around.querySelectorAll("details"), details);
  }

  // `toggle` does not bubble: listen while it is captured on the way down.
  document.addEventListener(
    "toggle",
    function (event) {
      var details = event.target;
      if (!details || details.tagName !== "DETAILS" || !details.isConnected) return;
      var key = detailsKey(details);
      if (key) opened[key] = details.open;
    },
    true
  );

  document.addEventListener("focusin", function (event) {
    var target = event.target;
    focused = target && target.id ? target : null;
  });

  function restore() {
    Object.keys(values).forEach(function (id) {
      var element = document.getElementById(id);
      if (element && element.value !== values[id]) element.value = values[id];
    });
    if (Object.keys(opened).length) {
      document.querySelectorAll("details").forEach(function (details) {
        var key = detailsKey(details);
        if (key && key in opened && details.open !== opened[key]) details.open = opened[key];
      });
    }
    if (focused && !focused.isConnected) {
      var replaced = document.getElementById(focused.id);
      var caret = typeof focused.selectionStart === "number" ? focused.selectionStart : null;
      focused = replaced;
      if (replaced) {
        replaced.focus({ preventScroll: true });
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
})();
