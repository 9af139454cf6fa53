// Benchmark `world`: CRT vs RL vs RL+TDiv vs zero-shot vs few-shot (and CRT without the gibberish penalty) in
// the sandbox world, at the same sample budget, 3 seeds each, through the campaign loop with the "demo" preset.
// Prints a markdown table and writes table.md, runs.json and chart.svg to --out.
//   npm run bench -- world [--seeds 1000,2000,3000] [--epochs N] [--methods crt,rl,...] [--out DIR] [--workspace DIR]
//                          [--set key.path=value ...]
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Gpt2Policy } from "../src/models/index.js";
import { runWorldBenchmark } from "../src/world/bench.js";
import { buildWorld } from "../src/world/build.js";

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** `--set ppo.lr=0.001 --set redteam.generation.maxNewTokens=20`: config overrides (values parsed as JSON when they can be). */
function parseSettings(args: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  args.forEach((a, i) => {
    if (a !== "--set") return;
    const m = /^([\w.]+)=(.*)$/.exec(args[i + 1] ?? "");
    if (!m) throw new Error(`bench world: --set expects key.path=value, got ${JSON.stringify(args[i + 1])}`);
    let value: unknown = m[2];
    try {
      value = JSON.parse(m[2] as string);
    } catch {
      // a plain string
    }
    const keys = (m[1] as string).split(".");
    let node = out;
    for (const k of keys.slice(0, -1)) {
      node[k] ??= {};
      node = node[k] as Record<string, unknown>;
    }
    node[keys.at(-1) as string] = value;
  });
  return out;
}

async function world(args: string[]): Promise<void> {
  const out = flag(args, "out") ?? "bench-results/world";
  const { table } = await runWorldBenchmark({
    seeds: (flag(args, "seeds") ?? "1000,2000,3000").split(",").map(Number),
    epochs: flag(args, "epochs") ? Number(flag(args, "epochs")) : undefined,
    arms: flag(args, "methods")?.split(","),
    out,
    workspace: flag(args, "workspace"),
    settings: parseSettings(args),
    log: (line) => console.log(line),
  });
  console.log(`\n${table}\nwrote ${out}/table.md, chart.svg, coverage.svg, runs.json`);
}

/**
 * `world-policy`: builds (or loads) the world for a seed and samples the pretrained policy with the paper's
 * red-team settings: how fluent it is (share the target parses, mean gibberish) and how often it lands in a
 * vulnerable cell or makes the target fail by chance.
 *   npm run bench -- world-policy [--seed 1] [--samples 256] [--cache DIR] [--max-new-tokens 20]
 */
async function worldPolicy(args: string[]): Promise<void> {
  const seed = Number(flag(args, "seed") ?? 1);
  const n = Number(flag(args, "samples") ?? 256);
  const maxNewTokens = Number(flag(args, "max-new-tokens") ?? 20);
  const cacheDir = resolve(flag(args, "cache") ?? join(tmpdir(), "curio-world-cache"));
  const t0 = performance.now();
  const w = await buildWorld({ seed, cacheDir, log: (l) => console.log(l) });
  const buildSeconds = (performance.now() - t0) / 1000;
  const policy = await Gpt2Policy.load(w.paths.policy);
  const prompts = Array.from({ length: n }, (_, i) => w.seedPrompts[i % w.seedPrompts.length] as string);
  const t1 = performance.now();
  const gens = await policy.generate(prompts, {
    maxNewTokens,
    temperature: 0.7,
    topP: 0.92,
    topK: 0,
    stop: ["\n"],
    seed,
  });
  const genSeconds = (performance.now() - t1) / 1000;
  await policy.release();
  const texts = gens.map((g) => g.text.trim());
  const answers = await w.target().respond(texts);
  const gib = await w.gibberish().gibberish(texts);
  const share = (k: number) => (k / n).toFixed(3);
  const kinds = (kind: string) => answers.filter((a) => a.meta.kind === kind).length;
  const sensitive = new Set(w.topics.filter((t) => t.sensitive).map((t) => t.id));
  console.log(
    [
      `world seed ${seed}: build ${buildSeconds.toFixed(1)} s (${w.cached ? "cached" : `pretrain ${w.manifest.pretrainSeconds.toFixed(1)} s`}), final SFT loss ${w.manifest.finalLoss.toFixed(3)}`,
      `generate ${n} x ${maxNewTokens} tokens: ${genSeconds.toFixed(2)} s; stopped at newline ${share(gens.filter((g) => g.finishReason === "stop").length)}`,
      `parsed by the target ${share(n - kinds("confused"))}, mean gibberish ${(gib.reduce((a, b) => a + b, 0) / n).toFixed(3)}, distinct ${new Set(texts).size}`,
      `sensitive topic ${share(answers.filter((a) => sensitive.has(a.meta.cell?.topic ?? "")).length)}, vulnerable cell ${share(answers.filter((a) => a.meta.vulnerable).length)}, real failures ${share(kinds("unsafe"))}`,
      ...texts.slice(0, 8).map((t) => `  ${JSON.stringify(t)}`),
    ].join("\n"),
  );
}

export const benchmarks = { world, worldPolicy };
