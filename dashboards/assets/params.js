// Page controls that set a query parameter: a native <select> with data-param="name" (native, as
// the header's gu: Dash's Dropdown and RadioItems fail axe's aria-hidden-focus and
// nested-interactive rules). A change writes ?name=value to the `url` location without a reload;
// the router callback re-renders the page from it (dashboards/pages/__init__.py, View.query), so
// a live re-render and a shared link keep the reader's choice.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    var name = target && target.getAttribute ? target.getAttribute("data-param") : null;
    if (!name || !window.dash_clientside || !window.dash_clientside.set_props) return;
    var params = new URLSearchParams(window.location.search);
    if (target.value) {
      params.set(name, target.value);
    } else {
      params.delete(name);
    }
    var search = params.toString();
    window.dash_clientside.set_props("url", { search: search ? "?" + search : "" });
  });
})();
