// The project's Hive Gateway configuration (gateway/hive/gateway.config.mjs) with the HTTP
// executor's in-flight deduplication turned off, for `python -m bench.query --gateways`.
// By default @graphql-tools/executor-http sends one subgraph request for identical queries in
// flight at the same time (same URL, body and forwarded headers) and gives every caller its
// answer. wrk sends one query from one address on 32 connections, so most client requests would
// share another's subgraph fetches: the bench would measure the deduplication, not the work.
// Real clients differ in X-Forwarded-For (the gateway forwards it), which keeps their fetches apart.
import { gatewayConfig as project } from "../gateway/hive/gateway.config.mjs";

const http = project.transportEntries["*.http"];

export const gatewayConfig = {
  ...project,
  transportEntries: {
    ...project.transportEntries,
    "*.http": { ...http, options: { ...http.options, deduplicateInflightRequests: false } },
  },
};
