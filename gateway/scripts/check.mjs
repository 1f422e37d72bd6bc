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
 * forwarded}`: the client's method, query string ("" or "?…"), Content-Type and Accept headers,
 * body text (POST), and the headers to forward (headersForSubgraph). Resolves to
 * `{refusal: {status, headers, body, errors}}` to pass on whole, `{cost}` for an accepted
 * operation, or `{}` when the answer is no verdict on an operation (a GET for the explorer page).
 */
export async function checkOperation(urls, request) {
  const headers = { ...request.forwarded };
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
  return body?.extensions?.cost ? { cost: body.extensions.cost } : {};
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
