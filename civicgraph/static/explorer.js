// The CivicGraph explorer: GraphiQL served from our own origin, talking to /graphql.
// An API key goes in the Headers tab as {"X-API-Key": "cg_..."}.
(function () {
  "use strict";
  var defaultQuery = [
    "# Welcome to CivicGraph, the data layer of Seoul.",
    "# Press the run button (or Ctrl-Enter) to query the city.",
    "{",
    "  districts {",
    "    code",
    "    nameEn",
    "    nameKo",
    "    population",
    "    adjacent { nameEn }",
    "  }",
    "  sensors(filter: { district: [\"11680\"] }, first: 5) {",
    "    totalCount",
    "    edges { node { id kind latestReading { measuredAt value(dataType: PM25) } } }",
    "  }",
    "}",
    "",
  ].join("\n");
  // A dashboard figure's "source" link opens its query: /graphql#query=...&variables=...
  // (a fragment: /graphql?query= would run the query, and the fragment never leaves the browser)
  var params = new URLSearchParams(window.location.hash.slice(1));
  var linked = {};
  if (params.get("query")) linked.query = params.get("query");
  if (params.get("variables")) linked.variables = params.get("variables");
  var fetcher = GraphiQL.createFetcher({ url: window.location.origin + "/graphql" });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, Object.assign({
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
    }, linked))
  );
})();
