// A client's seat at the door (civicgraph/graphql_door/seat.py): for each websocket a client
// opens to the gateway, the gateway opens one websocket to a subgraph's /graphql/check with the
// client's key headers and X-Forwarded-For (forwarding.mjs), and holds it as long as the
// client's. The subgraph's door applies the merged server's connection rules to it (a bad key:
// 4401; over the quota or the caller's connection limit: 1013, with the reason), and the
// client's websocket is closed with the same code and reason: through the gateway, a client
// meets the merged server's connection limits.
import { WebSocket } from "ws";
import { nestsDeeper } from "./body.mjs";
import { CHECK_PATH } from "./check.mjs";

/** The one message a seat sends once the door admitted it (seat.py ADMITTED). */
const ADMITTED = "admitted";
/** How long a seat may take to be admitted or refused, in ms. */
const SEAT_TIMEOUT_MS = 10_000;
/** Close code when no seat could be had (no subgraph answered): try again later. */
const TRY_AGAIN_LATER = 1013;
/** Close code of a message the merged server refuses (graphql-transport-ws: bad request). */
const BAD_REQUEST = 4400;
/** Close code when the seat closes under an open client (its subgraph went away). */
const SERVICE_RESTART = 1012;

/** The seat URLs (ws://host:port/graphql/check) of a check's URLs (check.mjs checkUrls). */
export function seatUrls(checkUrls) {
  return checkUrls.map((url) => {
    const seat = new URL(CHECK_PATH, url);
    seat.protocol = seat.protocol === "https:" ? "wss:" : "ws:";
    return seat.toString();
  });
}

/** One attempt at `url`: resolves to `{seat}` once admitted, `{refusal: {code, reason}}` when
 * the door closes it, or `{unreachable: reason}` when it cannot be opened. */
function trySeat(url, headers) {
  return new Promise((resolve) => {
    // no subprotocol: the seat speaks none, and a client's unknown one is graphql-ws's to refuse
    const seat = new WebSocket(url, [], { headers });
    const timer = setTimeout(() => {
      seat.terminate();
      resolve({ unreachable: "timed out" });
    }, SEAT_TIMEOUT_MS);
    seat.once("message", (data) => {
      clearTimeout(timer);
      if (String(data) === ADMITTED) resolve({ seat });
      else {
        seat.terminate();
        resolve({ unreachable: "unexpected message" });
      }
    });
    seat.once("close", (code, reason) => {
      clearTimeout(timer);
      resolve({ refusal: { code, reason: String(reason) } });
    });
    seat.once("error", (error) => {
      clearTimeout(timer);
      resolve({ unreachable: error?.code ?? error?.message ?? String(error) });
    });
  });
}

/**
 * A seat for a client whose forwarded headers are `headers` (headersForSubgraph), at the first
 * of `urls` that answers. Resolves to `{seat}` (an open `ws` WebSocket) or `{refusal: {code,
 * reason}}` to close the client's websocket with.
 */
export async function takeSeat(urls, headers) {
  let reason = "no subgraph";
  for (const url of urls) {
    const attempt = await trySeat(url, headers);
    if (!attempt.unreachable) return attempt;
    reason = attempt.unreachable;
  }
  return {
    refusal: { code: TRY_AGAIN_LATER, reason: `the connection could not be checked (${reason})` },
  };
}

/** Ties `client` (the gateway's websocket to its client) to `seat`: each closes the other. */
export function holdSeat(client, seat) {
  client.once("close", () => seat.close(1000));
  seat.once("close", () => {
    if (client.readyState === client.OPEN) client.close(SERVICE_RESTART, "the subgraph went away");
  });
  seat.on("error", () => {});
}

/** The longest operation `id` a subscribe may have, as on the merged server
 * (civicgraph/graphql_door/websockets.py MAX_OPERATION_ID_CHARS): every push of the operation
 * repeats its id, so a 64 KiB id would make every push of a small reading 64 KiB. */
export const MAX_OPERATION_ID_CHARS = 128;

/**
 * The merged server's reason for refusing the client message `text` before the protocol server
 * reads it, or null: JSON nesting deeper than `maxDepth` (body.mjs nestsDeeper; deep variables
 * otherwise overflowed a recursive walk in the gateway, close 4500 "Maximum call stack size
 * exceeded"), or a `subscribe` whose `id` is longer than MAX_OPERATION_ID_CHARS. A message that
 * is not JSON is graphql-ws's to refuse.
 */
export function messageProblem(text, maxDepth) {
  if (nestsDeeper(text, maxDepth)) return `the JSON nests deeper than ${maxDepth} levels`;
  if (text.length <= MAX_OPERATION_ID_CHARS) return null; // too short to hold a longer id
  let message;
  try {
    message = JSON.parse(text);
  } catch {
    return null;
  }
  const id = message?.id;
  // characters as Python counts them (code points), not UTF-16 units: an emoji is one
  const long = typeof id === "string" && [...id].length > MAX_OPERATION_ID_CHARS;
  if (message?.type === "subscribe" && long) {
    return `a subscribe's \`id\` is at most ${MAX_OPERATION_ID_CHARS} characters`;
  }
  return null;
}

/** Closes `client` 4400 with the reason on a message the merged server refuses the same way
 * (`messageProblem`), before the protocol server parses it. */
function refuseBadMessages(client, maxDepth) {
  const emit = client.emit;
  client.emit = function (event, data, ...rest) {
    if (event === "message") {
      // once refused, nothing more is read (ws still emits the messages that follow the close)
      if (client.readyState !== client.OPEN) return true;
      const problem = messageProblem(String(data), maxDepth);
      if (problem !== null) {
        client.close(BAD_REQUEST, problem);
        return true;
      }
    }
    return emit.call(this, event, data, ...rest);
  };
}

/**
 * Gives every websocket `WebSocketServer` (the `ws` class) accepts a seat first: its
 * `handleUpgrade` (ws's public API, which Hive Gateway's server calls for each upgrade) asks a
 * seat for the client's headers (`headersOf(request)`), then completes the upgrade and either
 * passes the client on, tied to its seat, or closes it with the seat's refusal (the merged
 * server too accepts, then closes). `limits` is `{maxPayload, maxJsonDepth}`: each socket takes
 * messages of at most `maxPayload` bytes, nesting JSON at most `maxJsonDepth` levels, whose
 * subscribe ids are at most MAX_OPERATION_ID_CHARS characters.
 */
export function seatEveryConnection(WebSocketServer, urls, headersOf, limits) {
  const handleUpgrade = WebSocketServer.prototype.handleUpgrade;
  WebSocketServer.prototype.handleUpgrade = function (request, socket, head, done) {
    // a message over the merged server's limit closes the socket (1009) before it is read whole
    this.options.maxPayload = limits.maxPayload;
    if (!this.shouldHandle(request)) return handleUpgrade.call(this, request, socket, head, done);
    // until ws takes the socket over, a reset while the seat is asked for is not a crash
    const ignore = () => {};
    socket.on("error", ignore);
    takeSeat(urls, headersOf(request)).then(({ seat, refusal }) => {
      socket.off("error", ignore);
      if (socket.destroyed) {
        seat?.close(1000);
        return;
      }
      handleUpgrade.call(this, request, socket, head, (client, ...rest) => {
        if (refusal) {
          client.close(refusal.code, refusal.reason);
          return;
        }
        holdSeat(client, seat);
        refuseBadMessages(client, limits.maxJsonDepth);
        done(client, ...rest);
      });
    });
  };
}
