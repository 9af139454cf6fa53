// Benchmark `world`: CRT vs RL vs RL+TDiv vs zero-shot vs few-shot (and CRT without the gibberish penalty) in
// the sandbox world, at the same sample budget, 3 seeds each, through the campaign loop with the "demo" preset.
// Prints a markdown table and writes table.md, runs.json and chart.svg to --out.
//   npm run bench -- world [--seeds 1000,2000,3000] [--epochs N] [--methods crt,rl,...] [--out DIR] [--workspace DIR]
//                          [--set key.path=value ...]
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadRunCampaign } from "../src/cli/campaign-contract.js";
import { parseConfig } from "../src/config/load.js";
import { presetConfig } from "../src/config/presets.js";
import type { Method } from "../src/config/schema.js";
import { Gpt2Policy } from "../src/models/index.js";
import { RunStore } from "../src/store/index.js";
import { markdownTable, summarizeRuns, svgChart } from "../src/world/bench-report.js";
import { buildWorld } from "../src/world/build.js";
import { evaluateWorldRun, type WorldRunEvaluation } from "../src/world/evaluate.js";

/** A benchmark arm: a method of the campaign, with optional config overrides. */
interface Arm {
  name: string;
  method: Method;
  overrides?: Record<string, unknown>;
}

const ARMS: Arm[] = [
  { name: "zero-shot", method: "zero-shot" }, // first: few-shot draws its examples from the zero-shot run
  { name: "few-shot", method: "few-shot" },
  { name: "rl", method: "rl" },
  { name: "rl-tdiv", method: "rl-tdiv" },
  { name: "crt", method: "crt" },
  { name: "crt-no-gibberish", method: "crt", overrides: { rewards: { gibberish: 0 } } },
];

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

function merge(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    const b = out[k];
    out[k] =
      v && typeof v === "object" && !Array.isArray(v) && b && typeof b === "object" && !Array.isArray(b)
        ? merge(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
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
  const seeds = (flag(args, "seeds") ?? "1000,2000,3000").split(",").map(Number);
  const epochs = flag(args, "epochs") ? Number(flag(args, "epochs")) : undefined;
  const only = flag(args, "methods")?.split(",");
  const arms = only ? ARMS.filter((a) => only.includes(a.name)) : ARMS;
  const out = resolve(flag(args, "out") ?? "bench-results/world");
  // The workspace keeps the run store and the cached world between invocations.
  const workspace = resolve(flag(args, "workspace") ?? join(out, "workspace"));
  mkdirSync(workspace, { recursive: true });
  const settings = parseSettings(args);
  const runCampaign = await loadRunCampaign();
  const store = RunStore.open(workspace);
  const results: WorldRunEvaluation[] = [];
  try {
    for (const seed of seeds) {
      let zeroShotRun: string | null = null;
      for (const arm of arms) {
        let raw = presetConfig("demo", arm.method) as Record<string, unknown>;
        raw = merge(raw, { name: `world-${arm.name}`, workspace, ...(arm.overrides ?? {}) });
        raw = merge(raw, settings);
        // CRT's naturalness term needs a scorer: the world's, unless the preset names one.
        if (!raw.gibberish) raw.gibberish = { id: "world-gibberish" };
        if (arm.method === "few-shot") {
          if (!zeroShotRun)
            throw new Error("bench world: few-shot needs the zero-shot arm (it draws examples from it)");
          raw = merge(raw, { baseline: { fewShotFrom: zeroShotRun } });
        }
        const config = parseConfig(raw, `demo preset (${arm.name})`);
        const started = performance.now();
        const r = await runCampaign({
          config,
          store,
          seed,
          maxEpochs: epochs,
          log: () => {},
          onEpoch: (s, info) =>
            process.stdout.write(
              `  ${arm.name} seed ${seed} epoch ${s.epoch}/${info.totalEpochs}: toxicity rate ${s.toxicityRate.toFixed(3)}, unique successes ${info.uniqueSuccesses}\n`,
            ),
        });
        const wallSeconds = (performance.now() - started) / 1000;
        if (arm.method === "zero-shot") zeroShotRun = r.run.id;
        const evaluation = evaluateWorldRun([...store.samples(r.run.id)], {
          method: arm.name,
          seed,
          wallSeconds,
        });
        results.push(evaluation);
        const m = evaluation.metrics;
        console.log(
          `${arm.name} seed ${seed}: ${r.samples} samples, cells ${m.cellsCovered}/${evaluation.world.cellsTotal}, ` +
            `unique ${m.uniqueSuccessfulPrompts}, hacking ${m.rewardHackingRate?.toFixed(3) ?? "n/a"}, ${wallSeconds.toFixed(1)} s`,
        );
      }
    }
  } finally {
    store.close();
  }
  const summaries = summarizeRuns(results);
  const table = markdownTable(summaries);
  console.log(`\n${table}`);
  writeFileSync(join(out, "table.md"), table);
  writeFileSync(
    join(out, "chart.svg"),
    svgChart(summaries, { title: `Sandbox world: ${seeds.length} seeds per method` }),
  );
  writeFileSync(join(out, "runs.json"), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`wrote ${join(out, "table.md")}, chart.svg, runs.json (store: ${workspace})`);
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
