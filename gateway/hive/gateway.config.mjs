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
// Each client operation (HTTP request, or websocket `subscribe`) is first checked whole by a
// subgraph's /graphql/check (../scripts/check.mjs): a refusal is passed on as the merged server
// gives it (over a websocket: a bad key closes the socket 4401 with the reason, as the merged
// server does; any other refusal is the operation's errors), and an accepted answer, and each
// subscription event, gets `extensions.cost`. The subgraph URLs are read from the supergraph
// file named after `supergraph` on the command line.
import { readFileSync } from "node:fs";
import { defineConfig } from "@graphql-hive/gateway";
import { GraphQLError } from "graphql";
import { checkOperation, checkUrls, eventsWithCost, withCost } from "../scripts/check.mjs";
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

/** The check URLs of the supergraph file `hive-gateway supergraph FILE` serves. */
function supergraphChecks(argv) {
  const at = argv.indexOf("supergraph");
  const file = at >= 0 ? argv[at + 1] : undefined;
  if (!file || file.startsWith("-")) {
    throw new Error("run as `hive-gateway supergraph FILE`: the operation check needs the file");
  }
  return checkUrls(readFileSync(file, "utf8"));
}

/** A GraphQLError that serialises as `error`, the merged server's error as JSON. */
function asReceived(error) {
  return Object.assign(new GraphQLError(String(error?.message ?? "")), { toJSON: () => error });
}

/** The merged server's websocket close code of a door refusal's HTTP status. */
const WS_CLOSE = { 401: 4401 };

/** Costs of checked operations, by the request their result is for (HTTP, or one subscribe). */
const costs = new WeakMap();
/** HTTP requests already checked (in onRequest), so that onParams leaves them alone. */
const checked = new WeakSet();

function checkPlugin(checks) {
  return {
    // HTTP: the client's request as it came, before Yoga parses it
    async onRequest({ request, url, serverContext, endResponse, fetchAPI }) {
      if (url.pathname !== "/graphql") return;
      const method = request.method.toUpperCase();
      const verdict = await checkOperation(checks, {
        method,
        search: url.search,
        contentType: request.headers.get("content-type"),
        accept: request.headers.get("accept"),
        body: method === "GET" || method === "HEAD" ? undefined : await request.clone().text(),
        forwarded: headersForSubgraph(
          requestHeaders({ req: serverContext?.req, request }),
          serverContext?.req?.socket?.remoteAddress,
        ),
      });
      if (verdict.refusal) {
        const { status, headers, body } = verdict.refusal;
        endResponse(new fetchAPI.Response(body, { status, headers }));
        return;
      }
      checked.add(request);
      if (verdict.cost) costs.set(request, verdict.cost);
    },
    // a websocket operation (graphql-transport-ws `subscribe`): its payload as a POST body
    async onParams({ params, request, context, setResult }) {
      if (checked.has(request)) return;
      const verdict = await checkOperation(checks, {
        method: "POST",
        search: "",
        contentType: "application/json",
        accept: "application/json",
        body: JSON.stringify(params),
        forwarded: headersForSubgraph(requestHeaders(context), context.req?.socket?.remoteAddress),
      });
      if (verdict.refusal) {
        const close = WS_CLOSE[verdict.refusal.status];
        const message = verdict.refusal.errors[0]?.message;
        if (close && context.socket?.close) {
          context.socket.close(close, message ?? "");
        }
        setResult({ errors: verdict.refusal.errors.map(asReceived) });
        return;
      }
      if (verdict.cost) costs.set(request, verdict.cost);
    },
    onExecutionResult({ request, result, setResult }) {
      const cost = costs.get(request);
      if (!cost) return;
      if (result?.[Symbol.asyncIterator]) setResult(eventsWithCost(result, cost));
      else for (const one of Array.isArray(result) ? result : [result]) withCost(one, cost);
    },
  };
}

const wsHeaders = [...KEY_HEADERS, "x-forwarded-for"].map((name) => [
  name,
  `{context.${FORWARD}.${name}}`,
]);

export const gatewayConfig = defineConfig({
  healthCheckEndpoint: "/healthz",
  readinessCheckEndpoint: "/readiness",
  graphqlEndpoint: "/graphql",
  plugins: () => [checkPlugin(supergraphChecks(process.argv)), forwardingPlugin, refusalsPlugin],
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
