// Hive Gateway in front of the subgraphs: queries, mutations and subscriptions.
//   hive-gateway supergraph SUPERGRAPH_FILE -c hive/gateway.config.mjs --host 127.0.0.1 --port 4000
// Clients subscribe over graphql-transport-ws at /graphql; the gateway subscribes to each subgraph
// over graphql-transport-ws at the subgraph's own /graphql. The caller's API key (X-API-Key or
// Authorization headers, of the HTTP request or of the websocket's upgrade request) and
// X-Forwarded-For with the client's address appended travel to every subgraph: as HTTP headers,
// and as the upgrade headers of the gateway's own websocket to the subgraph. As on the merged
// server (civicgraph/auth.py), a key is read from headers only: Hive Gateway merges
// connection_init's payload into `context.headers`, so that is not where they are taken from.
// GET /healthz answers once the server listens, GET /readiness once the supergraph is loaded.
import { defineConfig } from "@graphql-hive/gateway";
import { headersForSubgraph, KEY_HEADERS } from "../scripts/forwarding.mjs";

const FORWARD = "civicForward";

/** The client's own request headers, lower-cased: node's request (HTTP, or a websocket's
 * upgrade), else the Fetch API request; never connection_init's payload. */
function requestHeaders(context) {
  const out = {};
  if (context.req?.headers) {
    for (const [name, value] of Object.entries(context.req.headers)) {
      if (typeof value === "string") out[name.toLowerCase()] = value;
    }
  } else if (context.request?.headers?.forEach) {
    context.request.headers.forEach((value, name) => {
      out[name.toLowerCase()] = value;
    });
  }
  return out;
}

/** Puts the headers to forward in the context: the plain object `context.civicForward`. */
const forwardingPlugin = {
  onContextBuilding({ context, extendContext }) {
    const peer = context.req?.socket?.remoteAddress;
    extendContext({ [FORWARD]: headersForSubgraph(requestHeaders(context), peer) });
  },
};

const wsHeaders = [...KEY_HEADERS, "x-forwarded-for"].map((name) => [
  name,
  `{context.${FORWARD}.${name}}`,
]);

export const gatewayConfig = defineConfig({
  healthCheckEndpoint: "/healthz",
  readinessCheckEndpoint: "/readiness",
  graphqlEndpoint: "/graphql",
  plugins: () => [forwardingPlugin],
  propagateHeaders: {
    fromClientToSubgraphs: ({ context }) => context[FORWARD] ?? {},
  },
  transportEntries: {
    "*.http": {
      options: {
        subscriptions: {
          kind: "ws",
          location: "/graphql",
          headers: wsHeaders,
        },
      },
    },
  },
});
