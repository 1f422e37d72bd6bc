// The map page's deck.gl canvas (dashboards/pages/map.py builds its spec in Python with pydeck).
// deck.gl (2 MB) is loaded from our own origin, /dashboard/vendor/deck.gl.min.js, the first time
// a map is drawn, so no other page pays for it. No mapStyle: the base layer is our own polygons;
// only when the operator sets a tile service (CIVIC_DASHBOARD_TILE_URL) does the spec hold a
// TileLayer, whose tiles (the one thing from another origin) are drawn as BitmapLayers. Accessors
// in the spec are "@@=a.b" paths into each datum, "{measure}" naming the chosen measure; nothing
// is evaluated. A click on a gu sets the header's gu selector, which every page (this one too: it
// then shows the gu's dong) reads.
(function () {
  "use strict";
  var loading = null;
  var state = { deck: null, host: null, boundsKey: null, measure: null, spec: null };

  function base() {
    var config = document.getElementById("_dash-config");
    try {
      return JSON.parse(config.textContent).requests_pathname_prefix || "/dashboard/";
    } catch (e) {
      return "/dashboard/";
    }
  }

  function loadDeck() {
    if (window.deck && window.deck.Deck) return Promise.resolve(window.deck);
    if (loading) return loading;
    loading = new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = base() + "vendor/deck.gl.min.js";
      script.onload = function () {
        resolve(window.deck);
      };
      script.onerror = function () {
        loading = null;
        reject(new Error("deck.gl could not be loaded"));
      };
      document.head.appendChild(script);
    });
    return loading;
  }

  function path(text) {
    var steps = text.split(".");
    return function (datum) {
      var value = datum;
      for (var i = 0; i < steps.length && value != null; i++) value = value[steps[i]];
      return value;
    };
  }

  function layerOf(deck, spec, measure) {
    var props = {};
    Object.keys(spec).forEach(function (key) {
      var value = spec[key];
      if (key === "@@type") return;
      if (typeof value === "string" && value.indexOf("@@=") === 0) {
        props[key] = path(value.slice(3).replace("{measure}", measure));
      } else {
        props[key] = value;
      }
    });
    props.updateTriggers = { getFillColor: measure };
    if (spec["@@type"] === "TileLayer") props.renderSubLayers = bitmap(deck);
    var Layer = deck[spec["@@type"]];
    return Layer ? new Layer(props) : null;
  }

  // A raster tile as an image on its bounds (deck.gl's TileLayer + BitmapLayer recipe).
  function bitmap(deck) {
    return function (props) {
      var box = props.tile.boundingBox;
      return new deck.BitmapLayer(props, {
        data: null,
        image: props.data,
        bounds: [box[0][0], box[0][1], box[1][0], box[1][1]],
      });
    };
  }

  function layers(deck, spec, measure) {
    return spec.layers
      .map(function (layer) {
        return layerOf(deck, layer, measure);
      })
      .filter(Boolean);
  }

  function tooltip(info) {
    var object = info.object;
    if (!object) return null;
    if (object.properties) {
      var shown = object.properties.text ? object.properties.text[state.measure] : "";
      return { text: object.properties.name + "\n" + (shown || "") };
    }
    if (object.label) return { text: object.label };
    var count = object.colorValue != null ? object.colorValue : object.count;
    if (count != null && state.spec) return { text: state.spec.labels.cases + ": " + count };
    return null;
  }

  // The gu under a click, whatever lies on top of it there (a sensor or asset point, a case
  // hexagon, a dong): deck.gl reports only the topmost object, so look through every layer.
  function guAt(info) {
    var picked = info.object ? [info] : [];
    if (state.deck && info.x != null && info.y != null) {
      picked = picked.concat(state.deck.pickMultipleObjects({ x: info.x, y: info.y, depth: 8 }));
    }
    for (var i = 0; i < picked.length; i++) {
      var properties = picked[i] && picked[i].object && picked[i].object.properties;
      if (properties && properties.level === "GU") return properties.code;
      if (properties && properties.level === "DONG") return String(properties.code).slice(0, 5);
    }
    return null;
  }

  function click(info) {
    var code = guAt(info);
    if (!code || code === state.spec.gu) return;
    if (window.dash_clientside && window.dash_clientside.set_props) {
      window.dash_clientside.set_props("gu", { data: code });
    }
  }

  function viewOf(deck, host, bounds) {
    var width = host.clientWidth || 800;
    var height = host.clientHeight || 500;
    var fitted = new deck.WebMercatorViewport({ width: width, height: height }).fitBounds(
      [
        [bounds[0], bounds[1]],
        [bounds[2], bounds[3]],
      ],
      { padding: Math.min(24, Math.floor(Math.min(width, height) / 4)) }
    );
    return { longitude: fitted.longitude, latitude: fitted.latitude, zoom: fitted.zoom };
  }

  // The canvas is the image: role "img" named by the measure (and gu) it shows; the page's
  // table holds the same values (WCAG 2.2 SC 1.1.1).
  function label(host, spec, measure) {
    var canvas = host.querySelector("canvas");
    if (!canvas) return;
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", canvasLabel(spec, measure));
  }

  function canvasLabel(spec, measure) {
    var labels = (spec && spec.labels) || {};
    var name = (labels.measures && labels.measures[measure]) || measure;
    return (labels.canvas || "") + name + (labels.gu ? " · " + labels.gu : "");
  }

  function draw(spec, measure) {
    if (!spec) return;
    var own = { id: "map-deck", onClick: click };
    drawIn(state, "map-canvas", spec, measure, own, tooltip, function (host) {
      state.spec = spec;
      state.measure = measure;
      label(host, spec, measure);
    });
  }

  // Shared with the analytics page's hotspot map (assets/predictions.js): one loader, one
  // reading of a pydeck spec, and one way of keeping a deck through Dash's renders.
  //
  // Dash builds the page's elements anew on every render (a live update, the 30 s refresh, a
  // measure or language chosen), so a page keeps one deck whose host element moves into each new
  // container: the canvas, its WebGL context and the reader's pan and zoom survive a render, and
  // no render pays for a new deck. Each state (`{deck, host, boundsKey}`) follows its container's
  // id (`follow`); leaving the page lets the old page go and fits the view again on return.

  // A deck drawn in `host` that marks the host data-drawn once it has drawn anything and its
  // container once it has drawn that container's spec (`drawsFor`: the container the last draw
  // was for), and the container data-error when it fails (what the browser tests and the page's
  // own "not drawn" notice read). `props.id` names its canvas: give each deck its own (deck.gl
  // names every canvas "deckgl-overlay"; keep.js finds the focused element again by id).
  var drawsFor = new WeakMap();
  function newDeck(deck, host, props, tooltip) {
    return new deck.Deck(
      Object.assign(
        {
          parent: host,
          width: "100%",
          height: "100%",
          controller: true,
          getTooltip: tooltip,
          onAfterRender: function () {
            host.setAttribute("data-drawn", "true");
            var container = host.parentNode;
            if (container && drawsFor.get(host) === container) {
              container.setAttribute("data-drawn", "true");
            }
          },
          onError: function (error) {
            var container = host.parentNode;
            if (container) container.setAttribute("data-error", String(error && error.message));
          },
        },
        props
      )
    );
  }

  // Draws a pydeck `spec` (its layers coloured by `measure`) in the page's element `id` with the
  // state's kept deck: a new deck (`own`: its id and handlers; `tooltip`) only the first time
  // or after a lost context, the view fitted only when the bounds change; then
  // `drawn(host)` (to name the canvas). A draw before React put the element in runs again once
  // it is there; a failure marks the element data-error.
  function drawIn(state, id, spec, measure, own, tooltip, drawn) {
    return loadDeck()
      .then(function (deck) {
        var container = containerFor(state, id, function () {
          drawIn(state, id, spec, measure, own, tooltip, drawn);
        });
        if (!container) return;
        var host = hostIn(state, container);
        var props = { layers: layers(deck, spec, measure) };
        var key = JSON.stringify(spec.bounds);
        if (key !== state.boundsKey) {
          props.initialViewState = spec.bounds
            ? viewOf(deck, host, spec.bounds)
            : spec.initialViewState;
          state.boundsKey = key;
        }
        if (state.deck) state.deck.setProps(props);
        else state.deck = newDeck(deck, host, Object.assign({}, own, props), tooltip);
        drawn(host);
      })
      .catch(function (error) {
        var container = document.getElementById(id);
        if (container) container.setAttribute("data-error", String(error && error.message));
      });
  }

  // The element the state's deck draws in, placed in `container` for a draw of its spec. A deck
  // whose WebGL context was lost (a GPU reset) never draws again: it is replaced.
  function hostIn(state, container) {
    if (state.deck && state.deck.device && state.deck.device.isLost) {
      state.deck.finalize();
      if (state.host.parentNode) state.host.parentNode.removeChild(state.host);
      container.removeAttribute("data-drawn");
      state.host = null;
    }
    if (!state.host) {
      state.host = document.createElement("div");
      state.host.className = "map-host";
      state.deck = null;
      state.boundsKey = null;
    }
    drawsFor.set(state.host, container);
    if (state.host.parentNode !== container) container.appendChild(state.host);
    return state.host;
  }

  // The container `id` in the page now; or null, and `redo` runs once it is there (a callback
  // can run before React has put the page's new elements in).
  function containerFor(state, id, redo) {
    follow(state, id);
    var container = document.getElementById(id);
    state.pending = container ? null : redo;
    return container;
  }

  var followed = [];
  function follow(state, id) {
    state.containerId = id;
    if (followed.indexOf(state) >= 0) return;
    followed.push(state);
    if (followed.length === 1) {
      new MutationObserver(function () {
        followed.forEach(replace);
      }).observe(document.body, { childList: true, subtree: true });
    }
  }

  // After Dash changed the page: the host back into its (new) container at once, rather than at
  // the next draw; a draw that found no container run again; or, the page left, the old page's
  // elements let go and the view fitted again when the reader comes back.
  function replace(state) {
    var container = document.getElementById(state.containerId);
    var host = state.host;
    if (container) {
      if (host && host.parentNode !== container) container.appendChild(host);
      if (state.pending) {
        var redo = state.pending;
        state.pending = null;
        redo();
      }
    } else if (host && !host.isConnected) {
      if (host.parentNode) host.parentNode.removeChild(host);
      drawsFor.delete(host);
      state.boundsKey = null;
    }
  }

  window.civicDeck = { drawIn: drawIn };

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    civicMap: {
      draw: function (spec, measure) {
        var ctx = window.dash_clientside.callback_context;
        var legends = (ctx && ctx.outputs_list && ctx.outputs_list[0]) || [];
        var hidden = legends.map(function (output) {
          return output.id.measure !== measure;
        });
        draw(spec, measure);
        return [hidden, measure];
      },
      // What a click at canvas pixel (x, y) would find: the topmost object's kind ("gu",
      // "dong", "point", "cases" or null) and the gu it drills into (null: none). For tests
      // and for whoever debugs a click; it changes nothing.
      pick: function (x, y) {
        if (!state.deck) return null;
        var top = state.deck.pickObject({ x: x, y: y });
        var object = top && top.object;
        var kind = null;
        if (object && object.properties) kind = object.properties.level === "GU" ? "gu" : "dong";
        else if (object && object.label) kind = "point";
        else if (object) kind = "cases";
        return { top: kind, gu: guAt({ x: x, y: y }) };
      },
    },
  });
})();
