// Hive Gateway in front of the subgraphs: queries, mutations and subscriptions.
//   CIVIC_SUPERGRAPH_FILE=FILE hive-gateway supergraph -c hive/gateway.config.mjs --host 127.0.0.1 --port 4000
// Clients subscribe over graphql-transport-ws at /graphql; the gateway subscribes to each subgraph
// over graphql-transport-ws at the subgraph's own /graphql. The caller's API key (X-API-Key or
// Authorization headers, of the HTTP request or of the websocket's upgrade request) and
// X-Forwarded-For with the client's address appended travel to every subgraph: as HTTP headers,
// and as the upgrade headers of the gateway's own websocket to the subgraph. As on the merged
// server (civicgraph/auth.py), a key is read from headers only: Hive Gateway merges
// connection_init's payload into `context.headers`, so that is not where they are taken from.
// GET /healthz answers once the server listens, GET /readiness once the supergraph is loaded.
// Each client websocket first holds a seat at a subgraph's door (../scripts/seat.mjs): a bad key
// closes it 4401, and one over the caller's connection limit 1013, as on the merged server.
// Each client operation (HTTP request, or websocket `subscribe`) is first checked whole by a
// subgraph's /graphql/check (../scripts/check.mjs): a refusal is passed on as the merged server
// gives it (over a websocket: a bad key closes the socket 4401 with the reason, as the merged
// server does; any other refusal is the operation's errors), and an accepted answer, and each
// subscription event, gets `extensions.cost`. A POST body over the merged server's limit is
// refused 413 before it is read whole (../scripts/body.mjs); a subgraph's door refusal met after
// the check is an error of that part of the answer (../scripts/refusals.mjs).
// The supergraph is the file CIVIC_SUPERGRAPH_FILE names, read once here at start-up and served
// as read: neither watched nor polled (Hive watches a file named on the command line and reloads
// whatever is written to it), so a gateway's supergraph changes only by restarting it.
import { readFileSync } from "node:fs";
import http from "node:http";
import { defineConfig } from "@graphql-hive/gateway";
import { GraphQLError, parse } from "graphql";
import { maskError } from "graphql-yoga";
import {
  checkOperation,
  checkUrls,
  eventsWithCost,
  EXPLORER_ASSETS,
  explorerAsset,
  withCost,
} from "../scripts/check.mjs";
import { headersForSubgraph, joinedHeaders, KEY_HEADERS } from "../scripts/forwarding.mjs";
import {
  drainRequest,
  maxBodyBytes,
  maxJsonDepth,
  maxMessageBytes,
  readBody,
} from "../scripts/body.mjs";
import { seatEveryConnection, seatUrls } from "../scripts/seat.mjs";
import { NOT_FOUND, PersistedDocuments } from "../scripts/apq.mjs";
import { WebSocketServer } from "ws";
import {
  asPartAnswer,
  isRequestError,
  requestErrorStatus,
  withOurCodes,
} from "../scripts/refusals.mjs";

const FORWARD = "civicForward";
/** Paths Hive Gateway answers itself (health and readiness). */
const OWN_PATHS = new Set(["/healthz", "/readiness"]);

/** The client's own request headers, lower-cased, a repeated one joined (forwarding.mjs):
 * node's request (HTTP, or a websocket's upgrade), else the Fetch API request (whose Headers
 * join repeated ones too); never connection_init's payload. */
function requestHeaders(context) {
  if (context.req?.rawHeaders) return joinedHeaders(context.req.rawHeaders);
  const out = {};
  if (context.request?.headers?.forEach) {
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

/** The merged server's refusals (refusals.mjs): a subgraph's door refusal met after the check
 * is an error of that part of the answer; the gateway's own request errors carry our codes. */
const refusalsPlugin = {
  onFetch() {
    return async ({ response, setResponse }) => {
      const answer = await asPartAnswer(response);
      if (answer !== response) setResponse(answer);
    };
  },
  onResultProcess({ request, result }) {
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

/** The supergraph SDL of the file `env.CIVIC_SUPERGRAPH_FILE`, read once. Refuses a file named
 * on the command line (`hive-gateway supergraph FILE`): Hive would watch and reload it. */
function readSupergraph(env, argv) {
  const at = argv.indexOf("supergraph");
  const named = at >= 0 ? argv[at + 1] : undefined;
  if (named && !named.startsWith("-")) {
    throw new Error(
      `name the supergraph in CIVIC_SUPERGRAPH_FILE, not on the command line (${named}): ` +
        "Hive Gateway would reload whatever is later written to a file named there",
    );
  }
  const file = env.CIVIC_SUPERGRAPH_FILE;
  if (!file) throw new Error("CIVIC_SUPERGRAPH_FILE must name the supergraph file to serve");
  return readFileSync(file, "utf8");
}

const SUPERGRAPH = readSupergraph(process.env, process.argv);

/** A GraphQLError that serialises as `error`, the merged server's error as JSON. */
function asReceived(error) {
  return Object.assign(new GraphQLError(String(error?.message ?? "")), { toJSON: () => error });
}

/**
 * Yoga's error masking, except for a subgraph's refusal of a subscription: the subgraph sends
 * a graphql-transport-ws `error` message (`not_found`, `bad_cursor`, `too_many_subscriptions`,
 * …), which Hive's websocket executor throws as the message's array of errors (as JSON); the
 * first of them is passed on as the subgraph sent it, as the merged server sends it.
 */
function maskUnlessRefused(error, message, isDev) {
  const sent = Array.isArray(error) ? error : error?.originalError;
  const first = Array.isArray(sent) ? sent[0] : undefined;
  if (typeof first?.message === "string" && typeof first?.extensions?.code === "string") {
    return asReceived(first);
  }
  return maskError(error, message, isDev);
}

/** The merged server's websocket close code of a door refusal's HTTP status. */
const WS_CLOSE = { 401: 4401 };

/** Costs of checked operations, by the request their result is for (HTTP, or one subscribe). */
const costs = new WeakMap();
/** HTTP requests already checked (in onRequest), so that onParams leaves them alone. */
const checked = new WeakSet();
/** The body text onRequest read (within the limit), by request: Yoga parses it from here,
 * since the stream it would read has been drained. */
const bodies = new WeakMap();

/** Documents of automatic persisted queries the check accepted (../scripts/apq.mjs). */
const persisted = new PersistedDocuments();

function checkPlugin(checks, maxBytes) {
  return {
    // HTTP: the client's request as it came, before Yoga parses it
    async onRequest({ request, url, serverContext, endResponse, fetchAPI }) {
      if (OWN_PATHS.has(url.pathname)) return;
      if (url.pathname.startsWith(EXPLORER_ASSETS)) {
        const { status, headers, body } = await explorerAsset(checks, url.pathname);
        endResponse(new fetchAPI.Response(body, { status, headers }));
        return;
      }
      if (url.pathname !== "/graphql") {
        // Yoga would also serve /graphql/ and //graphql, past every check here: as Apollo's
        // gateway, only /graphql is GraphQL
        const message = JSON.stringify({ errors: [{ message: `no route ${url.pathname}` }] });
        const headers = { "content-type": "application/json" };
        endResponse(new fetchAPI.Response(message, { status: 404, headers }));
        return;
      }
      const method = request.method.toUpperCase();
      let body;
      if (method !== "GET" && method !== "HEAD") {
        // at most the merged server's limit is read, before Yoga parses anything (body.mjs)
        const read = await readBody(
          request.headers.get("content-length"),
          request.clone().body,
          maxBytes,
          request.headers.get("accept"),
        );
        if (read.refusal) {
          // a lingering close, so that a client still sending reads the refusal (body.mjs)
          if (serverContext?.req) await drainRequest(serverContext.req);
          const { status, headers, body: text } = read.refusal;
          endResponse(new fetchAPI.Response(text, { status, headers }));
          return;
        }
        body = read.text;
      }
      const verdict = await checkOperation(checks, {
        method,
        search: url.search,
        contentType: request.headers.get("content-type"),
        accept: request.headers.get("accept"),
        body,
        forwarded: headersForSubgraph(
          requestHeaders({ req: serverContext?.req, request }),
          serverContext?.req?.socket?.remoteAddress,
        ),
      });
      const whole = verdict.refusal ?? verdict.answer;
      if (whole) {
        // a refusal, or the check's answer that is no verdict (the explorer page)
        const { status, headers, body } = whole;
        endResponse(new fetchAPI.Response(body, { status, headers }));
        return;
      }
      checked.add(request);
      persisted.rememberChecked(method, url.search, body);
      if (body !== undefined) bodies.set(request, body);
      if (verdict.cost) costs.set(request, verdict.cost);
    },
    // the body onRequest read, parsed once (the check has refused a body that is not JSON)
    onRequestParse({ request, setRequestParser }) {
      const text = bodies.get(request);
      if (text !== undefined) setRequestParser(async () => JSON.parse(text));
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
        websocket: true,
        forwarded: headersForSubgraph(requestHeaders(context), context.req?.socket?.remoteAddress),
      });
      if (verdict.answer) {
        // a POST body is always given a verdict; anything else is not run
        setResult({ errors: [new GraphQLError("the operation could not be checked")] });
        return;
      }
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

// every client websocket holds a seat at a subgraph's door first (../scripts/seat.mjs)
seatEveryConnection(
  WebSocketServer,
  seatUrls(checkUrls(SUPERGRAPH)),
  (request) => headersForSubgraph(joinedHeaders(request.rawHeaders), request.socket.remoteAddress),
  { maxPayload: maxMessageBytes(), maxJsonDepth: maxJsonDepth() },
);

// A request target that is not a path ("*", an absolute URL) made Hive's server adapter answer
// 500 with a stack trace: it is refused 400 here, before the adapter, as Apollo's gateway
// refuses it. (Node's `Server.emit("request")` is the one way in; Hive builds the server.)
const emitEvent = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, request, response, ...rest) {
  if (event === "request" && !String(request?.url ?? "").startsWith("/")) {
    response.writeHead(400, { "content-type": "application/json" });
    response.end(JSON.stringify({ errors: [{ message: "the request target is not a path" }] }));
    return true;
  }
  return emitEvent.call(this, event, request, response, ...rest);
};

export const gatewayConfig = defineConfig({
  healthCheckEndpoint: "/healthz",
  readinessCheckEndpoint: "/readiness",
  graphqlEndpoint: "/graphql",
  // the explorer is the merged server's, passed on by the check (../scripts/check.mjs)
  graphiql: false,
  landingPage: false,
  // as the merged server: no CORS headers (a page of another site reads nothing)
  cors: false,
  // a subgraph's typed refusal of a subscription keeps its code (Yoga's default masks it)
  maskedErrors: { maskError: maskUnlessRefused },
  // a document, not a path: served as read, neither watched nor polled
  supergraph: parse(SUPERGRAPH),
  // automatic persisted queries: a hash alone runs the text the check accepted with it before
  // (../scripts/apq.mjs); any other document still runs, once the check has accepted it
  persistedDocuments: {
    getPersistedOperation: (hash) => persisted.get(hash),
    allowArbitraryDocuments: true,
    customErrors: { notFound: NOT_FOUND },
  },
  plugins: () => [
    checkPlugin(checkUrls(SUPERGRAPH), maxBodyBytes()),
    forwardingPlugin,
    refusalsPlugin,
  ],
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
