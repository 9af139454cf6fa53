// Model resolver: a local folder, or a Hugging Face hub id downloaded once into a cache folder.
import { createWriteStream, existsSync, statSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import cliProgress from "cli-progress";

export interface ResolveOptions {
  /** Files the model needs (e.g. config.json, model.safetensors, tokenizer.json). */
  files: string[];
  /** Files fetched when present on the hub; a 404 is not an error. */
  optionalFiles?: string[];
  /** Default: env CURIO_CACHE_DIR, else ~/.cache/curio/models. */
  cacheDir?: string;
  /** Default: env CURIO_OFFLINE=1 or HF_HUB_OFFLINE=1. */
  offline?: boolean;
  revision?: string;
  /** Default: env HF_ENDPOINT, else https://huggingface.co. */
  endpoint?: string;
  /** Environment to read defaults from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Called as bytes arrive; default: a cli-progress bar on stderr when it is a terminal. */
  onProgress?: (file: string, received: number, total: number | undefined) => void;
  fetch?: typeof fetch;
}

const HUB_ID = /^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/;
const truthy = (v: string | undefined) =>
  v !== undefined && ["1", "true", "yes", "on"].includes(v.toLowerCase());

export function defaultCacheDir(env: Record<string, string | undefined> = process.env): string {
  return env.CURIO_CACHE_DIR || join(homedir(), ".cache", "curio", "models");
}

/** The folder a hub id is cached in. */
export function hubCacheFolder(id: string, cacheDir: string, revision = "main"): string {
  return join(cacheDir, id.replaceAll("/", "--"), revision.replaceAll("/", "--"));
}

/** Returns a local folder holding `files`: `source` itself when it is a folder, else the hub cache folder. */
export async function resolveModel(source: string, opts: ResolveOptions): Promise<string> {
  const env = opts.env ?? process.env;
  if (existsSync(source) && statSync(source).isDirectory()) {
    const missing = opts.files.filter((f) => !existsSync(join(source, f)));
    if (missing.length > 0) {
      throw new Error(`model folder ${resolve(source)} is missing ${missing.join(", ")}`);
    }
    return source;
  }
  const looksLocal = source.startsWith(".") || source.startsWith("/") || source.includes("\\");
  if (looksLocal || !HUB_ID.test(source)) {
    throw new Error(`model "${source}" is neither an existing folder nor a Hugging Face hub id (owner/name)`);
  }
  const revision = opts.revision ?? "main";
  const folder = hubCacheFolder(source, opts.cacheDir ?? defaultCacheDir(env), revision);
  const missing = opts.files.filter((f) => !existsSync(join(folder, f)));
  const optional = (opts.optionalFiles ?? []).filter(
    (f) => !existsSync(join(folder, f)) && !existsSync(join(folder, `${f}.absent`)),
  );
  if (missing.length === 0 && optional.length === 0) return folder;
  const offline = opts.offline ?? (truthy(env.CURIO_OFFLINE) || truthy(env.HF_HUB_OFFLINE));
  const howToFix = (why: string) =>
    new Error(
      `${why}: cannot get model "${source}". Download these files from ` +
        `https://huggingface.co/${source} (revision ${revision}) and put them in ${folder}: ` +
        `${opts.files.join(", ")}${opts.optionalFiles?.length ? ` (optional: ${opts.optionalFiles.join(", ")})` : ""}; ` +
        "or pass a local folder instead of a hub id.",
    );
  if (offline) {
    if (missing.length === 0) return folder;
    throw howToFix("offline mode (CURIO_OFFLINE / HF_HUB_OFFLINE)");
  }
  const endpoint = (opts.endpoint ?? env.HF_ENDPOINT ?? "https://huggingface.co").replace(/\/+$/, "");
  await mkdir(folder, { recursive: true });
  const token = env.HF_TOKEN;
  for (const file of [...missing, ...optional]) {
    const required = missing.includes(file);
    const url = `${endpoint}/${source}/resolve/${encodeURIComponent(revision)}/${file}`;
    let ok: boolean;
    try {
      ok = await download(url, join(folder, file), file, required, opts, token);
    } catch (e) {
      throw howToFix(`download of ${url} failed (${(e as Error).message})`);
    }
    // Remember optional files the hub does not have, so we do not ask again.
    if (!ok) await writeFile(join(folder, `${file}.absent`), "");
  }
  return folder;
}

/** Streams url to dest through a temp file; false when an optional file is absent (404). */
async function download(
  url: string,
  dest: string,
  file: string,
  required: boolean,
  opts: ResolveOptions,
  token: string | undefined,
): Promise<boolean> {
  const res = await (opts.fetch ?? fetch)(url, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    redirect: "follow",
  });
  if (res.status === 404 && !required) return false;
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status} ${res.statusText}`);
  const total = Number(res.headers.get("content-length")) || undefined;
  const report = opts.onProgress ?? terminalBar(file, total);
  let received = 0;
  const tmp = `${dest}.part-${process.pid}-${Date.now()}`;
  const body = Readable.fromWeb(res.body as import("node:stream/web").ReadableStream<Uint8Array>);
  body.on("data", (chunk: Buffer) => {
    received += chunk.length;
    report(file, received, total);
  });
  try {
    await pipeline(body, createWriteStream(tmp));
    if (total !== undefined && received !== total) {
      throw new Error(`connection closed after ${received} of ${total} bytes`);
    }
    await rename(tmp, dest);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  } finally {
    if (!opts.onProgress) report(file, -1, total); // closes the terminal bar
  }
  return true;
}

function terminalBar(file: string, total: number | undefined): NonNullable<ResolveOptions["onProgress"]> {
  if (!process.stderr.isTTY) return () => {};
  const bar = new cliProgress.SingleBar(
    { format: `${file} [{bar}] {percentage}% {value}/{total} bytes`, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total ?? 0, 0);
  return (_f, received) => {
    if (received < 0) bar.stop();
    else bar.update(received);
  };
}
