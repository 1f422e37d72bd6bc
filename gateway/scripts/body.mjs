// The request body limit of both gateways, as the merged server's (civicgraph/graphql_door/
// body.py, docs/security.md): a /graphql POST body over CIVIC_GRAPHQL_MAX_BODY_BYTES (default
// 1 MiB) is refused 413 `payload_too_large` in our error format, judged by Content-Length first
// and else by counting the bytes as they come, so that no more than the limit is ever kept and
// nothing is parsed. The Apollo door then reads and drops the rest of a refused body (at most
// 16 MiB or 5 s, `drainRequest`) before it answers, so the client reads the refusal.
import { prefersGraphQLResponse } from "./refusals.mjs";

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** The body limit in bytes: CIVIC_GRAPHQL_MAX_BODY_BYTES (an integer, 1024..64 MiB, as
 * civicgraph/settings.py takes it). Throws Error for any other value (the gateway exits 1). */
export function maxBodyBytes(env = process.env) {
  return byteLimit(env, "CIVIC_GRAPHQL_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES);
}

/** The merged server's largest websocket message, in bytes: CIVIC_GRAPHQL_MAX_WS_MESSAGE_BYTES
 * (civicgraph/settings.py, 1024..64 MiB), else 64 KiB. Throws on a value the merged server
 * would refuse. */
export function maxMessageBytes(env = process.env) {
  return byteLimit(env, "CIVIC_GRAPHQL_MAX_WS_MESSAGE_BYTES", 64 * 1024);
}

/** The merged server's deepest JSON nesting: CIVIC_GRAPHQL_MAX_JSON_DEPTH (4..512), else 32. */
export function maxJsonDepth(env = process.env) {
  return integerSetting(env, "CIVIC_GRAPHQL_MAX_JSON_DEPTH", 32, 4, 512);
}

/**
 * True when the JSON text `text` nests arrays and objects deeper than `maxDepth`, judged on
 * the characters before anything parses it (brackets inside strings do not count), as the
 * merged server judges a body or a websocket message (civicgraph/graphql_door/body.py).
 */
export function nestsDeeper(text, maxDepth) {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

function byteLimit(env, name, fallback) {
  return integerSetting(env, name, fallback, 1024, 64 * 1024 * 1024);
}

/** The integer setting `name` of `env` within min..max (as civicgraph/settings.py bounds it),
 * else `fallback` when unset; throws Error for any other value (the gateway exits 1). */
function integerSetting(env, name, fallback, min, max) {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw.trim());
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer ${min}..${max}, not ${raw}`);
  }
  return value;
}

/** A refusal `{status, headers, body, errors}` of the merged server's format (http.py). */
function refusal(status, code, message, accept) {
  const errors = [{ message, extensions: { code } }];
  const media = prefersGraphQLResponse(accept)
    ? "application/graphql-response+json"
    : "application/json";
  // the connection carries no other request after a refusal
  const headers = { "content-type": media, connection: "close" };
  return { status, headers, body: JSON.stringify({ errors }), errors };
}

/** The 413 `payload_too_large` refusal for a body over `limit` bytes. */
export function payloadTooLarge(limit, accept) {
  return refusal(413, "payload_too_large", `the body is larger than ${limit} bytes`, accept);
}

/**
 * Reads a request body of at most `limit` bytes. `declaredLength` is the Content-Length header
 * (or null), `chunks` an async iterable of Uint8Array (node's request, a Fetch API body stream),
 * `accept` the client's Accept header. Resolves to `{text}` (UTF-8), or `{refusal}`: 413 as soon
 * as Content-Length or the bytes received pass `limit`, 400 `json_invalid` for a Content-Length
 * that is not a number.
 */
export async function readBody(declaredLength, chunks, limit, accept) {
  if (declaredLength !== null && declaredLength !== undefined) {
    const trimmed = String(declaredLength).trim();
    if (!/^[0-9]+$/.test(trimmed)) {
      return {
        refusal: refusal(400, "json_invalid", "Content-Length is not a number", accept),
      };
    }
    if (Number(trimmed) > limit) return { refusal: payloadTooLarge(limit, accept) };
  }
  const received = [];
  let size = 0;
  // stepped by hand: leaving a `for await` would destroy node's request, and with it the
  // socket the refusal is to be written to
  const iterator = chunks ? chunks[Symbol.asyncIterator]() : null;
  for (let step = await iterator?.next(); step && !step.done; step = await iterator.next()) {
    size += step.value.length;
    if (size > limit) return { refusal: payloadTooLarge(limit, accept) };
    received.push(step.value);
  }
  return { text: Buffer.concat(received).toString("utf8") };
}

/**
 * Reads and drops what is left of a refused request's body (a node IncomingMessage) until it
 * ends, or `maxBytes` more bytes or `maxMs` have passed: a lingering close, as nginx's
 * `lingering_close`. Answering while the client is still sending, then closing, resets the
 * connection, and the client sees the reset instead of the refusal. Resolves, never rejects.
 */
export function drainRequest(req, maxBytes = 16 * 1024 * 1024, maxMs = 5000) {
  return new Promise((resolve) => {
    if (req.complete || req.readableEnded || req.destroyed) {
      resolve();
      return;
    }
    let seen = 0;
    const done = () => {
      clearTimeout(timer);
      req.off("data", onData);
      for (const event of ["end", "error", "close"]) req.off(event, done);
      resolve();
    };
    const onData = (chunk) => {
      seen += chunk.length;
      if (seen > maxBytes) done();
    };
    const timer = setTimeout(done, maxMs);
    req.on("data", onData);
    for (const event of ["end", "error", "close"]) req.on(event, done);
    req.resume();
  });
}
