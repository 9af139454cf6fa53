// On-disk response cache: sha256 of the canonical request (URL + body, never headers, which carry keys) ->
// one JSON file holding the parsed response. Writes are atomic (temp file + rename). Folder and file names
// are hashes: nothing a request holds (a token in its URL) becomes a path.
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** JSON with object keys sorted, so equal requests hash equally whatever the key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v as Record<string, unknown>).sort())
        sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}

/** A provider's cache folder: its kind and a hash of its (redacted) identity, e.g. "http-3f2a9c01b4d5e6f7". */
export function cacheFolder(kind: string, identity: string, redact: (text: string) => string): string {
  const hash = createHash("sha256").update(redact(identity)).digest("hex").slice(0, 16);
  return `${kind.replace(/[^A-Za-z0-9._-]+/g, "-")}-${hash}`;
}

export function requestKey(request: { url: string; method: string; body?: unknown }): string {
  return createHash("sha256")
    .update(canonicalJson({ url: request.url, method: request.method, body: request.body ?? null }))
    .digest("hex");
}

export class DiskCache {
  constructor(readonly dir: string) {}
  private path(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }
  async get(key: string): Promise<unknown | undefined> {
    try {
      return JSON.parse(await readFile(this.path(key), "utf8"));
    } catch {
      return undefined; // missing or corrupt entries are misses
    }
  }
  async set(key: string, value: unknown): Promise<void> {
    const file = this.path(key);
    await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true });
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, JSON.stringify(value));
    await rename(tmp, file);
  }
}
