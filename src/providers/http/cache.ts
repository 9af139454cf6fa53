// On-disk response cache: sha256 of the canonical request (URL + body, never headers, which carry keys) ->
// one JSON file holding the parsed response. Writes are atomic (temp file + rename).
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
