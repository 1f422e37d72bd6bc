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
import {
  DOOR_STATUSES,
  doorRefusal,
  isRequestError,
  requestErrorStatus,
  withOurCodes,
} from "../scripts/refusals.mjs";

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

/** Door refusals of the subgraphs, by the client's request they were met for. */
const refusals = new WeakMap();

/** The merged server's refusals (refusals.mjs): a subgraph's door refusal refuses the client's
 * whole request with its status, headers and body; the gateway's own request errors carry our
 * codes. */
const refusalsPlugin = {
  onFetch({ context }) {
    return async ({ response, setResponse }) => {
      if (!DOOR_STATUSES.has(response.status) || !context?.request) return;
      const text = await response.text();
      const refusal = doorRefusal(response.status, response.headers, text);
      if (refusal && !refusals.has(context.request)) refusals.set(context.request, refusal);
      setResponse(new Response(text, { status: response.status, headers: response.headers }));
    };
  },
  onResultProcess({ request, result, setResultProcessor }) {
    const refusal = refusals.get(request);
    if (refusal) {
      const headers = { "content-type": "application/json", ...refusal.headers };
      setResultProcessor(
        (_result, fetchAPI) =>
          new fetchAPI.Response(refusal.body, { status: refusal.status, headers }),
        "application/json",
      );
      return;
    }
    const accept = request.headers.get("accept");
    for (const one of Array.isArray(result) ? result : [result]) {
      const errors = one?.errors;
      if (!errors?.length) continue;
      withOurCodes(errors);
      if (one.data === undefined && errors.every(isRequestError)) {
        // Yoga takes the response's status from extensions.http (and leaves it out of the body)
        const status = requestErrorStatus(errors, accept);
        for (const error of errors) error.extensions.http = { status };
      }
    }
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
  plugins: () => [forwardingPlugin, refusalsPlugin],
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
