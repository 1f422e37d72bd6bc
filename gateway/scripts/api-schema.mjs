// Prints the API schema of a supergraph: what a gateway serves to clients (federation's own
// types, directives and join metadata removed), types sorted by name, as SDL.
//   node scripts/api-schema.mjs SUPERGRAPH_FILE
// Exit codes: 0 printed; 2 the file cannot be read or is not a supergraph.
import { readFileSync } from "node:fs";
import { Supergraph } from "@apollo/federation-internals";
import { lexicographicSortSchema, printSchema } from "graphql";

const [file] = process.argv.slice(2);
try {
  if (!file) throw new Error("usage: api-schema.mjs SUPERGRAPH_FILE");
  const api = Supergraph.build(readFileSync(file, "utf8")).apiSchema().toGraphQLJSSchema();
  process.stdout.write(`${printSchema(lexicographicSortSchema(api))}\n`);
} catch (error) {
  process.stderr.write(`api-schema: ${error.message.split("\n")[0]}\n`);
  process.exitCode = 2;
}
