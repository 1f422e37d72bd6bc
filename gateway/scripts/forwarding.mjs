// What both gateways send on to a subgraph from the client's request: the API key headers, and
// X-Forwarded-For with the client's own address appended, as a reverse proxy does (the subgraphs
// believe it only from CIVIC_TRUSTED_PROXIES: docs/security.md).

/** Headers that carry the caller's API key (civicgraph/auth.py reads both). */
export const KEY_HEADERS = ["x-api-key", "authorization"];

/**
 * A node request's headers (`rawHeaders`: name, value, name, value, …) as a plain object with
 * lower-case names, each header sent more than once joined by ", " (RFC 9110 §5.3), as the
 * subgraphs read them. Node's own `req.headers` keeps only the first of some (Authorization),
 * which would hide from a subgraph the second key the merged server refuses.
 */
export function joinedHeaders(rawHeaders) {
  const out = {};
  for (let i = 0; i + 1 < (rawHeaders?.length ?? 0); i += 2) {
    const name = rawHeaders[i].toLowerCase();
    out[name] = name in out ? `${out[name]}, ${rawHeaders[i + 1]}` : rawHeaders[i + 1];
  }
  return out;
}

/** `x-forwarded-for` as received, with `peer` (the client's socket address) appended. */
export function forwardedFor(received, peer) {
  const chain = typeof received === "string" && received.trim() !== "" ? received.trim() : "";
  if (!peer) return chain || undefined;
  const address = peer.startsWith("::ffff:") ? peer.slice("::ffff:".length) : peer;
  return chain ? `${chain}, ${address}` : address;
}

/**
 * The headers to send to a subgraph, from the client's headers (a plain object with lower-case
 * names) and its socket address. Headers the client did not send are left out; an empty key
 * header is sent on.
 */
export function headersForSubgraph(headers, peer) {
  const out = {};
  for (const name of KEY_HEADERS) {
    const value = headers?.[name];
    // an empty one too: the subgraphs refuse it (malformed) as the merged server does
    if (typeof value === "string") out[name] = value;
  }
  const chain = forwardedFor(headers?.["x-forwarded-for"], peer);
  if (chain) out["x-forwarded-for"] = chain;
  return out;
}
