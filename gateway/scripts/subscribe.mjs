// A graphql-ws client (the npm reference implementation of graphql-transport-ws), for the tests:
//   node scripts/subscribe.mjs WS_URL COUNT QUERY [VARIABLES_JSON]
// Prints each `next` payload as one JSON line, then exits 0 after COUNT of them; exits 1 on an
// error (an `error` message or a payload with `errors`) or a closed socket, saying why on stderr.
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, count, query, variables] = process.argv.slice(2);
const wanted = Number(count);
const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false });
let seen = 0;

const fail = (why) => {
  process.stderr.write(`${typeof why === "string" ? why : JSON.stringify(why)}\n`);
  process.exit(1);
};
client.on("closed", (event) => {
  if (seen < wanted) fail(`closed ${event.code} ${event.reason}`);
});
client.on("connected", () => process.stderr.write("connected\n"));

client.subscribe(
  { query, variables: variables ? JSON.parse(variables) : {} },
  {
    next: (payload) => {
      if (payload.errors) fail(payload.errors);
      process.stdout.write(`${JSON.stringify(payload)}\n`);
      seen += 1;
      if (seen === wanted) {
        client.dispose();
        process.exit(0);
      }
    },
    error: fail,
    complete: () => {
      if (seen < wanted) fail("completed early");
    },
  },
);
