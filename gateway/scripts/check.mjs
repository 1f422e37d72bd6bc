// The whole operation checked once, before a gateway plans it (docs/federation.md, "The
// operation check"): each client request is sent as it came (method, Content-Type, Accept, body
// or query string, with the key headers and X-Forwarded-For of forwarding.mjs) to
// POST|GET /graphql/check of one subgraph server (civicgraph/graphql_door/check.py). That route
// applies the merged server's door and every pre-execution limit to the whole operation against
// the merged schema, and prices it against the caller's tier budget; it executes nothing.
// - a refusal (any status but 200, or a 200 holding errors: legacy application/json clients)
//   is passed on whole: status, body, Content-Type and the refusal headers;
// - an accepted operation is planned and run by the gateway, and its answer (each event of a
//   subscription too) gets the check's `extensions.cost`, as the merged server's does.
// Which subgraph answers: the first of the supergraph's `join__Graph` values (the composer sorts
// them by name: `city`), the next ones when it cannot be reached. Every subgraph server has the
// same check, over the same merged schema.
import { REFUSAL_HEADERS } from "./refusals.mjs";

export const CHECK_PATH = "/graphql/check";

/** Headers of a check refusal passed on to the client, beside REFUSAL_HEADERS. */
const PASSED_HEADERS = ["content-type", "allow", ...REFUSAL_HEADERS];

/** The check URLs of a supergraph's subgraphs, in the order of its `join__Graph` values. */
export function checkUrls(supergraphSdl) {
  const urls = [];
  const joined = /@join__graph\(\s*name:\s*"[^"]*"\s*,?\s*url:\s*"([^"]+)"\s*\)/g;
  for (const match of supergraphSdl.matchAll(joined)) {
    urls.push(new URL(CHECK_PATH, match[1]).toString());
  }
  if (!urls.length) throw new Error("the supergraph names no subgraph URL (join__graph)");
  return urls;
}

/** A refusal of the gateway's own when no subgraph answers the check: 503, our error format. */
function unavailable(reason) {
  const body = JSON.stringify({
    errors: [
      {
        message: `the operation could not be checked (${reason}); try again later`,
        extensions: { code: "service_unavailable" },
      },
    ],
  });
  return { status: 503, headers: { "content-type": "application/json" }, body, errors: [] };
}

/**
 * Checks one client request. `request` is `{method, search, contentType, accept, body,
 * forwarded, websocket}`: the client's method, query string ("" or "?…"), Content-Type and
 * Accept headers, body text (POST), the headers to forward (headersForSubgraph), and true for
 * an operation that came over a websocket (its `subscribe` payload as a POST body). Resolves to
 * `{refusal: {status, headers, body, errors}}` to pass on whole, `{cost}` for an accepted
 * operation, or `{answer: {status, headers, body}}` to pass on whole when the check's answer is
 * no verdict on an operation (the explorer page, for a browser's GET): a gateway runs an
 * operation only with a cost.
 */
export async function checkOperation(urls, request) {
  const headers = { ...request.forwarded };
  // a subscription is checked as the merged server checks it at a websocket's `subscribe`;
  // over HTTP it is refused as there (civicgraph/graphql_door/check.py TRANSPORT_HEADER)
  if (request.websocket) headers["x-civicgraph-transport"] = "websocket";
  if (request.contentType) headers["content-type"] = request.contentType;
  if (request.accept) headers.accept = request.accept;
  let response;
  let reason = "no subgraph";
  for (const url of urls) {
    try {
      response = await fetch(url + (request.search ?? ""), {
        method: request.method,
        headers,
        body: request.method === "GET" || request.method === "HEAD" ? undefined : request.body,
      });
      break;
    } catch (error) {
      reason = error?.cause?.code ?? error?.message ?? String(error);
    }
  }
  if (!response) return { refusal: unavailable(reason) };
  const text = await response.text();
  const passed = {};
  for (const name of PASSED_HEADERS) {
    const value = response.headers.get(name);
    if (value) passed[name] = value;
  }
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const errors = Array.isArray(body?.errors) ? body.errors : [];
  if (response.status !== 200 || errors.length) {
    return { refusal: { status: response.status, headers: passed, body: text, errors } };
  }
  if (body?.extensions?.cost) return { cost: body.extensions.cost };
  // not a verdict on an operation (the explorer page, for a browser's GET): the merged
  // server's answer, never a licence to run anything
  return { answer: { status: response.status, headers: endToEndHeaders(response), body: text } };
}

/** Headers of `response` a gateway may pass on as they are (not hop-by-hop, not framing). */
function endToEndHeaders(response) {
  const out = {};
  response.headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name)) out[name] = value;
  });
  return out;
}

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "content-encoding",
  "date",
  "server",
]);

/** Path prefix of the explorer page's own assets (civicgraph/app.py). */
export const EXPLORER_ASSETS = "/explorer/assets/";

/**
 * The explorer asset at `path` (under EXPLORER_ASSETS), fetched from the first of the check
 * `urls` whose server answers: `{status, headers, body}` (body an ArrayBuffer), so that the
 * explorer page the check passes on works through a gateway as on the merged server.
 */
export async function explorerAsset(urls, path) {
  for (const url of urls) {
    try {
      const response = await fetch(new URL(path, url));
      return {
        status: response.status,
        headers: endToEndHeaders(response),
        body: await response.arrayBuffer(),
      };
    } catch {
      // the next subgraph server
    }
  }
  return unavailable("no subgraph");
}

/** `result` (an execution result as JSON, changed in place) with `extensions.cost`. */
export function withCost(result, cost) {
  if (cost && result && typeof result === "object") {
    result.extensions = { ...(result.extensions ?? {}), cost };
  }
  return result;
}

/** The events of `iterable` with `extensions.cost`; ending it ends `iterable` at once. */
export function eventsWithCost(iterable, cost) {
  const iterator = iterable[Symbol.asyncIterator]();
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      const step = await iterator.next();
      return step.done ? step : { done: false, value: withCost(step.value, cost) };
    },
    return(value) {
      return iterator.return ? iterator.return(value) : Promise.resolve({ done: true, value });
    },
    throw(error) {
      return iterator.throw ? iterator.throw(error) : Promise.reject(error);
    },
  };
}
