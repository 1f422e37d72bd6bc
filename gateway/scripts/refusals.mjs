// What both gateways do so that a client sees the merged server's refusals (docs/federation.md,
// "Refusals through a gateway"):
// - the door (key, failed-key and request rate limits) is applied to the whole request by the
//   operation check (check.mjs) before anything runs; a subgraph's door refusal met AFTER it
//   (HTTP 401 `unauthenticated`, 429 `rate_limited`: a quota used up by the calls of this very
//   request) is an error of that subgraph call only: its fields are null with the error (and its
//   path where the gateway sets one), and the parts that ran, a mutation's above all, keep their
//   data; the client is never told "nothing happened" about a mutation that ran;
// - errors the gateway raises itself before planning (parse, validation, variables, operation
//   selection) carry the merged server's lower_snake `extensions.code`
//   (resolvers/core/request_errors.py) instead of the gateway's upper-case one.

/** HTTP statuses of the subgraphs' door refusals (civicgraph/refusals.py). */
export const DOOR_STATUSES = new Set([401, 429]);

/** Response headers of a door refusal passed on to the client. */
export const REFUSAL_HEADERS = [
  "retry-after",
  "ratelimit",
  "ratelimit-policy",
  "www-authenticate",
];

/** The merged server's code for each request error code of graphql-js, Apollo and Yoga. */
export const REQUEST_CODES = {
  GRAPHQL_PARSE_FAILED: "graphql_parse_failed",
  GRAPHQL_VALIDATION_FAILED: "graphql_validation_failed",
  BAD_USER_INPUT: "bad_user_input",
  OPERATION_RESOLUTION_FAILURE: "operation_not_found",
  BAD_REQUEST: "bad_request",
  OPERATION_NOT_FOUND: "operation_not_found",
};

/**
 * A subgraph's `response` (Fetch API), or for a door refusal (a status of DOOR_STATUSES whose
 * body is our GraphQL error list) the same errors as a 200 GraphQL answer, so that the gateway
 * reports them on that call's fields and keeps the rest of the answer. Other responses are
 * returned as they are.
 */
export async function asPartAnswer(response) {
  if (!DOOR_STATUSES.has(response.status)) return response;
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const ours = typeof body?.errors?.[0]?.extensions?.code === "string";
  const headers = { "content-type": response.headers.get("content-type") ?? "application/json" };
  return new Response(text, { status: ours ? 200 : response.status, headers });
}

/** `fetcher` (a Fetch API function) whose door refusals are answers (asPartAnswer). */
export function partRefused(fetcher) {
  return async (...args) => asPartAnswer(await fetcher(...args));
}

/** The merged server's code for a request error `code`, else `code` unchanged. */
export function requestCode(code) {
  return REQUEST_CODES[code] ?? code;
}

/**
 * Give each of `errors` (GraphQL errors as JSON, changed in place) the merged server's code:
 * a gateway's request error code becomes ours, and a variable coercion error without a code
 * (Yoga raises those bare) gets `bad_user_input`.
 */
export function withOurCodes(errors) {
  for (const error of errors ?? []) {
    const code = error?.extensions?.code;
    if (OPERATION_NOT_FOUND_MESSAGES.includes(error?.message)) {
      error.extensions = { ...(error.extensions ?? {}), code: "operation_not_found" };
    } else if (typeof code === "string") {
      error.extensions.code = requestCode(code);
    } else if (typeof error?.message === "string" && error.message.startsWith('Variable "$')) {
      error.extensions = { ...(error.extensions ?? {}), code: REQUEST_CODES.BAD_USER_INPUT };
    }
  }
  return errors;
}

/** Messages of request errors that the gateways raise with no code of ours or a wrong one. */
const OPERATION_NOT_FOUND_MESSAGES = [
  "Must provide operation name if query contains multiple operations.",
  "Could not determine what operation to execute.",
];

/** True when `error` (as JSON) is a request error: its code is one of REQUEST_CODES' values. */
export function isRequestError(error) {
  return Object.values(REQUEST_CODES).includes(error?.extensions?.code);
}

/** True when the client's Accept header prefers application/graphql-response+json to
 * application/json (by q-value, then by order), as the merged server negotiates. */
export function prefersGraphQLResponse(accept) {
  let best = { type: "application/json", q: -1 };
  for (const range of (accept ?? "").split(",")) {
    const [type, ...params] = range.split(";").map((part) => part.trim().toLowerCase());
    if (type !== "application/json" && type !== "application/graphql-response+json") continue;
    const q = Number(params.find((p) => p.startsWith("q="))?.slice(2) ?? 1);
    if (q > best.q) best = { type, q };
  }
  return best.type === "application/graphql-response+json" && best.q > 0;
}

/** The merged server's HTTP status for a response holding only request `errors`
 * (civicgraph/graphql_door/http.py): 200 for application/json; else 400 for a document that
 * did not parse, 422 for any other request error. */
export function requestErrorStatus(errors, accept) {
  if (!prefersGraphQLResponse(accept)) return 200;
  return errors.some((e) => e?.extensions?.code === REQUEST_CODES.GRAPHQL_PARSE_FAILED) ? 400 : 422;
}
