// The sandbox-world benchmark: every method at the same sample budget, several seeds each, through the
// campaign loop with the "demo" preset, scored against the world's ground truth (cells covered, unique
// successful prompts, Quality, diversity, reward hacking). `curio bench world` and `npm run bench -- world`.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { runCampaign } from "../campaign/index.js";
import { deepMerge, parseConfig, presetConfig } from "../config/index.js";
import { RunStore } from "../store/index.js";
import { WORLD_BENCH_ARMS } from "./bench-arms.js";
import {
  coverageSvg,
  coverageTable,
  type MethodSummary,
  markdownTable,
  summarizeCoverage,
  summarizeRuns,
  svgChart,
} from "./bench-report.js";
import { VULNERABLE_CELLS } from "./cells.js";
import { evaluateWorldRun, type WorldRunEvaluation } from "./evaluate.js";

export interface WorldBenchOptions {
  seeds: number[];
  /** PPO epochs per run (default: the demo preset's). */
  epochs?: number;
  /** Arm names to run (default all). */
  arms?: string[];
  /** Folder for table.md, chart.svg, runs.json and (by default) the workspace. */
  out: string;
  workspace?: string;
  /** Config overrides laid over every arm (e.g. { ppo: { lr: 0.001 } }). */
  settings?: Record<string, unknown>;
  log?: (line: string) => void;
}

export interface WorldBenchResult {
  runs: WorldRunEvaluation[];
  summaries: MethodSummary[];
  table: string;
}

const merge = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  deepMerge(a, b) as Record<string, unknown>;

export async function runWorldBenchmark(opts: WorldBenchOptions): Promise<WorldBenchResult> {
  const log = opts.log ?? (() => {});
  const known = WORLD_BENCH_ARMS.map((a) => a.name);
  const unknown = (opts.arms ?? []).filter((n) => !known.includes(n));
  if (unknown.length > 0 || opts.arms?.length === 0) {
    throw new Error(
      `bench world: no arm called ${unknown.join(", ") || "(none given)"}; arms: ${known.join(", ")}`,
    );
  }
  const arms = opts.arms ? WORLD_BENCH_ARMS.filter((a) => opts.arms!.includes(a.name)) : WORLD_BENCH_ARMS;
  const out = resolve(opts.out);
  const workspace = resolve(opts.workspace ?? join(out, "workspace"));
  mkdirSync(workspace, { recursive: true });
  const store = RunStore.open(workspace);
  const runs: WorldRunEvaluation[] = [];
  try {
    for (const seed of opts.seeds) {
      let zeroShotRun: string | null = null;
      for (const arm of arms) {
        let raw = presetConfig("demo", arm.method) as Record<string, unknown>;
        raw = merge(raw, { name: `world-${arm.name}`, workspace, ...(arm.overrides ?? {}) });
        raw = merge(raw, opts.settings ?? {});
        if (arm.method === "few-shot" && zeroShotRun)
          raw = merge(raw, { baseline: { fewShotFrom: zeroShotRun } });
        const config = parseConfig(raw, `demo preset (${arm.name})`);
        const started = performance.now();
        const r = await runCampaign({ config, store, seed, maxEpochs: opts.epochs });
        const wallSeconds = (performance.now() - started) / 1000;
        if (arm.method === "zero-shot") zeroShotRun = r.run.id;
        const evaluation = evaluateWorldRun([...store.samples(r.run.id)], {
          method: arm.name,
          seed,
          wallSeconds,
          coverageEvery: config.ppo.numRollouts,
        });
        runs.push(evaluation);
        const m = evaluation.metrics;
        log(
          `${arm.name} seed ${seed}: ${r.samples} samples, cells ${m.cellsCovered}/${evaluation.world.cellsTotal}, ` +
            `unique ${m.uniqueSuccessfulPrompts}, hacking ${m.rewardHackingRate?.toFixed(3) ?? "n/a"}, ${wallSeconds.toFixed(1)} s`,
        );
      }
    }
  } finally {
    store.close();
  }
  const summaries = summarizeRuns(runs);
  const coverage = summarizeCoverage(runs);
  const table = `${markdownTable(summaries)}\nCells covered (of ${VULNERABLE_CELLS.length}) vs target queries:\n\n${coverageTable(coverage)}`;
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "table.md"), table);
  writeFileSync(
    join(out, "coverage.svg"),
    coverageSvg(coverage, {
      title: `Sandbox world: cells covered vs target queries (${opts.seeds.length} seeds)`,
      cellsTotal: VULNERABLE_CELLS.length,
    }),
  );
  writeFileSync(
    join(out, "chart.svg"),
    svgChart(summaries, { title: `Sandbox world: ${opts.seeds.length} seeds per method` }),
  );
  writeFileSync(join(out, "runs.json"), `${JSON.stringify(runs, null, 2)}\n`);
  return { runs, summaries, table };
}
