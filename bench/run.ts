// Benchmark runner: `npm run bench -- NAME [args]`. Each bench/*.ts module exports named async functions;
// a benchmark NAME maps to the export NAME (kebab-case allowed: `ppo-step` -> `ppoStep`).
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

type Bench = (args: string[]) => Promise<unknown>;
const here = dirname(fileURLToPath(import.meta.url));
const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

async function collect(): Promise<Map<string, Bench>> {
  const found = new Map<string, Bench>();
  for (const file of readdirSync(here).sort()) {
    if (!file.endsWith(".ts") || file === "run.ts") continue;
    const mod = (await import(pathToFileURL(join(here, file)).href)) as Record<string, unknown>;
    const table = (mod.benchmarks ?? {}) as Record<string, Bench>;
    for (const [name, fn] of Object.entries(table)) found.set(name, fn);
  }
  return found;
}

const [name, ...args] = process.argv.slice(2);
const all = await collect();
const fn = name ? (all.get(name) ?? all.get(camel(name))) : undefined;
if (!fn) {
  console.error(`usage: npm run bench -- NAME [args]\nbenchmarks: ${[...all.keys()].sort().join(", ")}`);
  process.exit(name ? 2 : 0);
}
await fn(args);
