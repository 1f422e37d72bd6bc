// Composes Apollo Federation v2 subgraphs into a supergraph with Apollo's own composer.
//   node scripts/compose.mjs [SUBGRAPHS_JSON | -] [--out SUPERGRAPH_FILE]
// Input (a file, or stdin when absent or `-`): a JSON list [{"name", "url", "sdl"}, ...].
// Prints one JSON object on stdout:
//   {"errors": [{"code", "message"}], "hints": [{"code", "level", "message"}], "supergraphSdl"?}
// The supergraph SDL is in the object, or with --out written to SUPERGRAPH_FILE (whole, through a
// temporary file and a rename: never a partial file) and left out of the object.
// Exit codes: 0 composed; 1 composition errors (nothing written); 2 unusable input or arguments.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

const finish = (code, report) => {
  process.stdout.write(`${JSON.stringify({ errors: [], hints: [], ...report })}\n`);
  process.exitCode = code;
};
const refuse = (message) => finish(2, { errors: [{ code: "INVALID_INPUT", message }] });

function readArguments(argv) {
  let source = "-";
  let out = null;
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === "--out") {
      out = argv[i + 1];
      i += 1;
      if (!out) throw new Error("--out needs a file name");
    } else if (source === "-") {
      source = argv[i];
    } else {
      throw new Error(`unexpected argument ${JSON.stringify(argv[i])}`);
    }
  }
  return { source, out };
}

function readSubgraphs(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`the subgraph list is not JSON: ${error.message}`);
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw new Error("the input must be a non-empty JSON list of {name, url, sdl}");
  }
  const seen = new Set();
  return value.map((entry, index) => {
    const where = `subgraph ${index}`;
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
      throw new Error(`${where} is not an object`);
    }
    const { name, url, sdl } = entry;
    if (typeof name !== "string" || !NAME.test(name)) {
      throw new Error(`${where}: name must match ${NAME}`);
    }
    if (seen.has(name)) throw new Error(`${where}: the name ${name} appears twice`);
    seen.add(name);
    if (typeof url !== "string" || !/^https?:\/\/\S+$/.test(url)) {
      throw new Error(`${where} (${name}): url must be an http(s) URL`);
    }
    if (typeof sdl !== "string" || sdl.trim() === "") {
      throw new Error(`${where} (${name}): sdl must be a non-empty string`);
    }
    return { name, url, sdl };
  });
}

function main() {
  let args;
  let subgraphs;
  try {
    args = readArguments(process.argv.slice(2));
    const text = readFileSync(args.source === "-" ? 0 : args.source, "utf8");
    subgraphs = readSubgraphs(text);
  } catch (error) {
    refuse(error.message);
    return;
  }
  const services = [];
  const parseErrors = [];
  for (const { name, url, sdl } of subgraphs) {
    try {
      services.push({ name, url, typeDefs: parse(sdl) });
    } catch (error) {
      parseErrors.push({ code: "INVALID_GRAPHQL", message: `[${name}] ${error.message}` });
    }
  }
  if (parseErrors.length > 0) {
    finish(1, { errors: parseErrors });
    return;
  }
  const result = composeServices(services);
  if (result.errors) {
    const errors = result.errors.map((error) => ({
      code: String(error.extensions?.code ?? "COMPOSITION_ERROR"),
      message: error.message,
    }));
    finish(1, { errors });
    return;
  }
  const hints = result.hints.map((hint) => ({
    code: hint.definition.code,
    level: hint.definition.level.name,
    message: hint.message,
  }));
  if (args.out) {
    const partial = `${args.out}.${process.pid}.partial`;
    writeFileSync(partial, result.supergraphSdl);
    renameSync(partial, args.out);
    finish(0, { hints });
  } else {
    finish(0, { hints, supergraphSdl: result.supergraphSdl });
  }
}

main();
