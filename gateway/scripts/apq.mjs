// Automatic persisted queries in Hive Gateway (docs/api.md, "Persisted queries"): the gateway's
// whole-operation check (check.mjs) resolves a hash as the merged server does, and refuses a
// hash that is not its text's SHA-256 or a document that does not validate; a request the
// check accepted with both a hash and its text is then remembered here, so that Yoga's
// persisted-operations plugin (Hive's `persistedDocuments.getPersistedOperation`) finds the
// text by the hash alone next time. Bounded as the merged server's store in memory
// (civicgraph/graphql_door/apq_store.py): at most MAX_ENTRIES documents and MAX_BYTES bytes,
// the least recently used going first.
const MAX_ENTRIES = 2000;
const MAX_BYTES = 16 * 1024 * 1024;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** PERSISTED_QUERY_NOT_FOUND as Apollo Server answers it (HTTP 200), so that Apollo Client's
 * persisted-queries link resends the hash with its text. */
export const NOT_FOUND = {
  message: "PersistedQueryNotFound",
  extensions: { code: "PERSISTED_QUERY_NOT_FOUND", http: { status: 200 } },
};

export class PersistedDocuments {
  constructor(maxEntries = MAX_ENTRIES, maxBytes = MAX_BYTES) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.documents = new Map();
    this.bytes = 0;
  }

  /** The text stored under `hash` (marked most recently used), or null. */
  get(hash) {
    const text = this.documents.get(hash);
    if (text === undefined) return null;
    this.documents.delete(hash);
    this.documents.set(hash, text);
    return text;
  }

  /** Stores `text` under `hash`, evicting the least recently used until within bounds. */
  put(hash, text) {
    const size = Buffer.byteLength(text, "utf8");
    if (size > this.maxBytes) return;
    this.drop(hash);
    this.documents.set(hash, text);
    this.bytes += size;
    while (this.documents.size > this.maxEntries || this.bytes > this.maxBytes) {
      this.drop(this.documents.keys().next().value);
    }
  }

  drop(hash) {
    const text = this.documents.get(hash);
    if (text === undefined) return;
    this.documents.delete(hash);
    this.bytes -= Buffer.byteLength(text, "utf8");
  }

  /** Remembers the document of a request the check accepted (`method`, the URL's `search`,
   * the POST `body` text), when it carries both a persisted-query hash and its text. */
  rememberChecked(method, search, body) {
    let query;
    let extensions;
    try {
      if (method === "GET") {
        const params = new URLSearchParams(search);
        query = params.get("query");
        extensions = JSON.parse(params.get("extensions") ?? "null");
      } else {
        ({ query, extensions } = JSON.parse(body ?? "null") ?? {});
      }
    } catch {
      return;
    }
    const hash = extensions?.persistedQuery?.sha256Hash;
    if (typeof query === "string" && query && typeof hash === "string" && SHA256_HEX.test(hash)) {
      this.put(hash, query);
    }
  }
}
