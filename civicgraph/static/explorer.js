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
  var fetcher = GraphiQL.createFetcher({ url: window.location.origin + "/graphql" });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
    })
  );
})();
