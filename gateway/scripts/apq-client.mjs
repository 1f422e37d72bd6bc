// Apollo Client (@apollo/client) with its PersistedQueryLink (automatic persisted queries),
// asking one query a number of times, as an app would (tests/e2e/test_apq_client.py).
//   node scripts/apq-client.mjs --url URL --query TEXT [--times 2] [--get] [--key KEY]
// --get: `useGETForHashedQueries` (hash-only requests by GET, the text by POST).
// --key: sent as X-API-Key.
// Prints one JSON line: {"requests": [...], "results": [...]}, each request as the server saw
// it ({method, hash, query: the text sent or null, status, codes: the errors' codes}) and
// each result as the client got it ({data, error: the error's name or null}). Exit 0 once
// every query has been asked (whatever the answers), 1 (one line on stderr) for bad arguments.
import { createHash } from "node:crypto";
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";

function readArguments(argv) {
  const options = { url: null, query: null, times: 2, get: false, key: null };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    if (flag === "--get") {
      options.get = true;
      continue;
    }
    const value = argv[(i += 1)];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === "--url") options.url = value;
    else if (flag === "--query") options.query = value;
    else if (flag === "--key") options.key = value;
    else if (flag === "--times") options.times = Number(value);
    else throw new Error(`unknown option ${flag}`);
  }
  if (!options.url || !options.query) throw new Error("--url and --query are required");
  if (!Number.isInteger(options.times) || options.times < 1) throw new Error("--times >= 1");
  return options;
}

const sha256 = (text) => createHash("sha256").update(text).digest("hex");

/** `fetch` that records each request and its answer in `requests`. */
function recordingFetch(requests) {
  return async (input, init = {}) => {
    const method = (init.method ?? "GET").toUpperCase();
    let sent;
    if (method === "GET") {
      const params = new URL(String(input)).searchParams;
      sent = {
        query: params.get("query"),
        extensions: params.get("extensions") ? JSON.parse(params.get("extensions")) : null,
      };
    } else {
      sent = JSON.parse(init.body);
    }
    const response = await fetch(input, init);
    const text = await response.clone().text();
    let codes = [];
    try {
      codes = (JSON.parse(text).errors ?? []).map((e) => e?.extensions?.code ?? null);
    } catch {
      codes = ["<not JSON>"];
    }
    requests.push({
      method,
      hash: sent?.extensions?.persistedQuery?.sha256Hash ?? null,
      query: typeof sent?.query === "string" && sent.query.length > 0 ? sent.query : null,
      status: response.status,
      codes,
    });
    return response;
  };
}

async function main() {
  const options = readArguments(process.argv.slice(2));
  const requests = [];
  const headers = options.key ? { "x-api-key": options.key } : {};
  const link = ApolloLink.from([
    new PersistedQueryLink({ sha256, useGETForHashedQueries: options.get }),
    new HttpLink({ uri: options.url, fetch: recordingFetch(requests), headers }),
  ]);
  const client = new ApolloClient({ link, cache: new InMemoryCache() });
  const query = gql(options.query);
  const results = [];
  for (let i = 0; i < options.times; i += 1) {
    const result = await client.query({ query, fetchPolicy: "no-cache", errorPolicy: "all" });
    results.push({ data: result.data ?? null, error: result.error ? result.error.name : null });
  }
  console.log(JSON.stringify({ requests, results }));
}

main().catch((error) => {
  console.error(`apq-client: ${error.message}`);
  process.exit(1);
});
