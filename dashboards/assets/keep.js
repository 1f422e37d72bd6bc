// What the reader did on a page survives its renders. Dash builds the page's elements anew on
// every render (a live update, the 30 s refresh, a measure chosen), so whatever the server does
// not know would be lost every time. Kept here and put back into the element that replaces the
// old one:
// - what was typed or chosen in a control marked `data-keep` (the analytics page's review notes
//   and departments), by the control's id, so an update never takes a half-written note away;
// - a table alternative (`<details>`) the reader opened or closed, by the page, the nearest id
//   around it and its place there (`/dashboard/map page-body/0`), so it stays as they left it;
// - the focus (and the caret): on the element that replaces the focused one (same id), or on
//   the focused element itself when it is put back (the map's canvas, moved by map.js), so a
//   keyboard or screen reader user is not thrown back to the top of the page. A click
//   elsewhere, or focus moved on, ends it: nothing is focused against the reader's will.
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

  // "/dashboard/map page-body/0": the page, the nearest id around `details` and its place among
  // that element's `<details>`; null when nothing around it has an id.
  function detailsKey(details) {
    var around = details.parentElement && details.parentElement.closest("[id]");
    if (!around) return null;
    var place = Array.prototype.indexOf.call(around.querySelectorAll("details"), details);
    return window.location.pathname + " " + around.id + "/" + place;
  }

  // Only the reader's own toggles are kept (a click on the summary, by mouse or keyboard), not
  // the `toggle` a `<details>` rendered open fires. `toggle` does not bubble: it is caught on the
  // way down.
  var toggledByReader = new WeakSet();
  document.addEventListener(
    "click",
    function (event) {
      var summary = event.target && event.target.closest ? event.target.closest("summary") : null;
      if (summary && summary.parentElement) toggledByReader.add(summary.parentElement);
    },
    true
  );
  document.addEventListener(
    "toggle",
    function (event) {
      var details = event.target;
      if (!details || !toggledByReader.has(details) || !details.isConnected) return;
      toggledByReader.delete(details);
      var key = detailsKey(details);
      if (key) opened[key] = details.open;
    },
    true
  );

  document.addEventListener("focusin", function (event) {
    focused = event.target;
  });
  document.addEventListener(
    "pointerdown",
    function (event) {
      if (focused && !(focused.contains && focused.contains(event.target))) focused = null;
    },
    true
  );

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
    if (focused) refocus();
  }

  function refocus() {
    var active = document.activeElement;
    if (focused.isConnected) {
      // put back after a move (it lost the focus while out of the page)
      if (!active || active === document.body) focused.focus({ preventScroll: true });
      return;
    }
    var replaced = focused.id ? document.getElementById(focused.id) : null;
    if (!replaced) return;
    var caret = typeof focused.selectionStart === "number" ? focused.selectionStart : null;
    focused = replaced;
    replaced.focus({ preventScroll: true });
    if (caret !== null && typeof replaced.setSelectionRange === "function") {
      replaced.setSelectionRange(caret, caret);
    }
  }
  new MutationObserver(restore).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });
})();
