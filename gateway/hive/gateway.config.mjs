// Hive Gateway in front of the subgraphs: queries, mutations and subscriptions.
//   hive-gateway supergraph SUPERGRAPH_FILE -c hive/gateway.config.mjs --host 127.0.0.1 --port 4000
// Clients subscribe over graphql-transport-ws at /graphql; the gateway subscribes to each subgraph
// over graphql-transport-ws at the subgraph's own /graphql. The caller's API key (X-API-Key or
// Authorization, as headers or in connection_init's payload) and X-Forwarded-For with the
// client's address appended travel to every subgraph: as HTTP headers, and as the websocket's
// upgrade headers (our subgraphs read the key from the upgrade request, civicgraph/auth.py).
// GET /healthz answers once the server listens, GET /readiness once the supergraph is loaded.
import { defineConfig } from "@graphql-hive/gateway";
import { headersForSubgraph, KEY_HEADERS } from "../scripts/forwarding.mjs";

const FORWARD = "civicForward";

function lowerCased(headers) {
  const out = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value === "string") out[name.toLowerCase()] = value;
  }
  return out;
}

/** Puts the headers to forward in the context: the plain object `context.civicForward`. */
const forwardingPlugin = {
  onContextBuilding({ context, extendContext }) {
    const peer = context.req?.socket?.remoteAddress;
    extendContext({ [FORWARD]: headersForSubgraph(lowerCased(context.headers), peer) });
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
