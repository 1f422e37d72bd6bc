// Apollo's gateway (@apollo/gateway + @apollo/server) in front of the subgraphs: queries and
// mutations (it carries no subscriptions).
//   node scripts/apollo-gateway.mjs --supergraph FILE [--port 4000] [--host 127.0.0.1]
// Serves POST/GET /graphql and GET /healthz ({"status": "ok"} once the supergraph is loaded);
// every other path is a JSON 404. Forwards X-API-Key, Authorization and X-Forwarded-For (with the
// client's address appended) to every subgraph. Each client request is first checked whole by a
// subgraph's /graphql/check (check.mjs): a refusal is passed on as the merged server gives it,
// and an accepted answer gets `extensions.cost`. A POST body over the merged server's limit is
// refused 413 before it is read whole (body.mjs); a subgraph's door refusal met after the check
// is an error of that part of the answer (refusals.mjs). Stops cleanly on SIGTERM/SIGINT (exit 0).
// Fails fast (exit 1, one line on stderr) without a readable supergraph or a free port.
import { readFileSync } from "node:fs";
import http from "node:http";
import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer, HeaderMap } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { drainRequest, maxBodyBytes, readBody } from "./body.mjs";
import { checkOperation, checkUrls, EXPLORER_ASSETS, explorerAsset, withCost } from "./check.mjs";
import { headersForSubgraph, joinedHeaders } from "./forwarding.mjs";
import { isRequestError, partRefused, requestErrorStatus, withOurCodes } from "./refusals.mjs";

const MAX_BODY_BYTES = maxBodyBytes();

function readArguments(argv) {
  const options = { supergraph: null, port: 4000, host: "127.0.0.1" };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === "--supergraph") options.supergraph = value;
    else if (flag === "--host") options.host = value;
    else if (flag === "--port") {
      options.port = Number(value);
      if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) {
        throw new Error(`--port must be 1..65535, not ${value}`);
      }
    } else throw new Error(`unknown option ${flag}`);
  }
  if (!options.supergraph) throw new Error("--supergraph FILE is required");
  return options;
}

/** The request's URL (a path taken as it is: `//graphql` is not the host `graphql`), or null
 * when the request target is not a path ("*", an absolute URL). */
function requestUrl(req) {
  if (!req.url.startsWith("/")) return null;
  try {
    return new URL(`http://gateway${req.url}`);
  } catch {
    return null;
  }
}

function sendJson(res, status, value, extra = {}) {
  res.writeHead(status, { "content-type": "application/json", ...extra });
  res.end(JSON.stringify(value));
}

/** The merged server's status for an answer holding only request errors (refusals.mjs);
 * `status` for any other answer. */
function statusOf(text, status, accept) {
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return status;
  }
  const errors = body?.errors;
  if (body?.data !== undefined || !Array.isArray(errors) || !errors.length) return status;
  return errors.every(isRequestError) ? requestErrorStatus(errors, accept) : status;
}

/** Sends a refusal `{status, headers, body}` (a subgraph's, as received) to the client. */
function sendRefusal(res, refusal) {
  res.writeHead(refusal.status, { "content-type": "application/json", ...refusal.headers });
  res.end(refusal.body);
}

async function handleGraphQL(server, checks, req, res) {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
  }
  const search = requestUrl(req).search;
  const forwarded = headersForSubgraph(joinedHeaders(req.rawHeaders), req.socket.remoteAddress);
  let text;
  if (req.method === "POST") {
    // at most the merged server's limit is read, before anything parses it (body.mjs)
    const read = await readBody(req.headers["content-length"], req, MAX_BODY_BYTES, req.headers.accept);
    if (read.refusal) {
      await drainRequest(req); // so that a client still sending reads the refusal (body.mjs)
      sendRefusal(res, read.refusal);
      return;
    }
    text = read.text;
  }
  // the whole operation, before Apollo parses or plans it (check.mjs)
  const verdict = await checkOperation(checks, {
    method: req.method.toUpperCase(),
    search,
    contentType: headers.get("content-type"),
    accept: headers.get("accept"),
    body: text,
    forwarded,
  });
  const whole = verdict.refusal ?? verdict.answer;
  if (whole) {
    // a refusal, or the check's answer that is no verdict (the explorer page): never run
    sendRefusal(res, whole);
    return;
  }
  let body;
  if (req.method === "POST") {
    if ((headers.get("content-type") ?? "").toLowerCase().startsWith("application/json")) {
      try {
        body = JSON.parse(text);
      } catch {
        sendJson(res, 400, { errors: [{ message: "the body is not JSON" }] });
        return;
      }
    } else {
      body = text;
    }
  }
  const context = {
    forwarded,
    cost: verdict.cost, // added to the answer by costPlugin
  };
  const response = await server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method.toUpperCase(), headers, search, body },
    context: async () => context,
  });
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status || 200;
  if (response.body.kind === "complete") {
    res.statusCode = statusOf(response.body.string, res.statusCode, headers.get("accept"));
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** Adds the check's `extensions.cost` to every answer, as the merged server does. */
const costPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, response }) {
        if (response.body.kind === "single") withCost(response.body.singleResult, contextValue?.cost);
      },
    };
  },
};

async function main() {
  const options = readArguments(process.argv.slice(2));
  const supergraphSdl = readFileSync(options.supergraph, "utf8");
  const checks = checkUrls(supergraphSdl);
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource({
        url,
        willSendRequest({ request, context }) {
          for (const [name, value] of Object.entries(context?.forwarded ?? {})) {
            request.http?.headers.set(name, value);
          }
        },
        // a door refusal met after the check (refusals.mjs): an error of that part only
        fetcher: partRefused(fetch),
      }),
  });
  const server = new ApolloServer({
    gateway,
    includeStacktraceInErrorResponses: false,
    // automatic persisted queries stay on (Apollo Client may send a hash beside the document,
    // as the merged server accepts), but a hash-only request never runs: the check refuses a
    // request without a document, or answers a browser's GET with the explorer page, and the
    // gateway runs nothing the check gave no cost for (check.mjs)
    // the explorer is the merged server's, passed on by the check (check.mjs)
    plugins: [costPlugin, ApolloServerPluginLandingPageDisabled()],
    // GET answers queries as on the merged server, with no preflight header: the check has
    // already refused what CSRF prevention guards against (a POST that is not
    // application/json: 415; a mutation over GET: 405), and keys travel in headers, never in
    // cookies, so a cross-site page has no credential to ride on (docs/security.md)
    csrfPrevention: false,
    // errors the gateway raises itself carry the merged server's codes (refusals.mjs)
    formatError: (formatted) => withOurCodes([{ ...formatted }])[0],
    stopOnTerminationSignals: false,
  });
  await server.start();

  const httpServer = http.createServer((req, res) => {
    const url = requestUrl(req);
    if (!url) {
      sendJson(res, 400, { errors: [{ message: "the request target is not a path" }] });
      return;
    }
    const path = url.pathname;
    if (path === "/healthz") {
      sendJson(res, 200, { status: "ok", gateway: "apollo" });
    } else if (path.startsWith(EXPLORER_ASSETS) && req.method === "GET") {
      explorerAsset(checks, path).then(({ status, headers, body }) => {
        res.writeHead(status, headers);
        res.end(typeof body === "string" ? body : Buffer.from(body));
      });
    } else if (path === "/graphql") {
      handleGraphQL(server, checks, req, res).catch((error) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        const status = error.status ?? 500;
        if (status === 500) console.error(`apollo-gateway: ${error.message}`);
        sendJson(res, status, { errors: [{ message: status === 500 ? "Internal error." : error.message }] });
      });
    } else {
      sendJson(res, 404, { errors: [{ message: `no route ${path}` }] });
    }
  });
  await new Promise((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(options.port, options.host, resolve);
  });
  console.log(`apollo-gateway on http://${options.host}:${options.port}/graphql`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    httpServer.close();
    httpServer.closeIdleConnections();
    await server.stop();
    httpServer.closeAllConnections();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((error) => {
  console.error(`apollo-gateway: ${error.message}`);
  process.exit(1);
});
