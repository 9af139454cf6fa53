// Benchmark `judge-once`: how many judge calls JudgeOnce saves. Runs sandbox-world campaigns (the demo
// preset; the world's target answers every prompt it cannot parse with one of three sentences and refuses
// with one of four), then feeds each run's stored (target input, answer) pairs, epoch by epoch as the
// campaign scores them, through JudgeOnce around a counting judge: once keyed by the answer alone (a
// classifier of responses, like the paper's R(y)) and once by the (input, answer) pair (an LLM judge).
// The reference is the calls without the wrapper: one per sample. Also checks the refusal phrases against
// the world's ground truth (which answers are refusals).
//   npm run bench -- judge-once [--methods crt,rl] [--seeds 1000] [--epochs N] [--out DIR]

import { JudgeOnce } from "../src/providers/judges/once.js";
import { refusalDetector } from "../src/providers/judges/refusal-phrases.js";
import type { Judge } from "../src/providers/types.js";
import { RunStore } from "../src/store/index.js";
import type { SampleRecord } from "../src/store/types.js";
import { runWorldBenchmark } from "../src/world/bench.js";

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

const counting = (reads: "response" | "pair"): Judge => ({
  id: `counting-${reads}`,
  reads,
  score: async (_p, responses) => responses.map(() => ({ score: 0.5 })),
});

async function replay(samples: SampleRecord[], reads: "response" | "pair"): Promise<number> {
  const once = new JudgeOnce(counting(reads));
  const byEpoch = new Map<number, SampleRecord[]>();
  for (const s of samples) byEpoch.set(s.epoch, [...(byEpoch.get(s.epoch) ?? []), s]);
  for (const batch of byEpoch.values()) {
    const ok = batch.filter((s) => s.error === null);
    await once.score(
      ok.map((s) => s.targetInput),
      ok.map((s) => s.response),
      ok.map((s) => s.index),
    );
  }
  return once.stats.called;
}

async function judgeOnce(args: string[]): Promise<void> {
  const out = flag(args, "out") ?? "bench-results/judge-once";
  await runWorldBenchmark({
    seeds: (flag(args, "seeds") ?? "1000").split(",").map(Number),
    epochs: flag(args, "epochs") ? Number(flag(args, "epochs")) : undefined,
    arms: (flag(args, "methods") ?? "crt,rl").split(","),
    out,
    log: (line) => console.log(line),
  });
  const store = RunStore.open(`${out}/workspace`, { readonly: true });
  const detect = refusalDetector();
  const rows: string[] = [];
  const confusion = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (const r of store.listRuns().reverse()) {
    const samples = [...store.samples(r.id)];
    const ok = samples.filter((s) => s.error === null).length;
    const byAnswer = await replay(samples, "response");
    const byPair = await replay(samples, "pair");
    const saved = (calls: number) => `${calls} (${(100 * (1 - calls / ok)).toFixed(1)}% saved)`;
    rows.push(`| ${r.id} (${r.method}) | ${ok} | ${saved(byAnswer)} | ${saved(byPair)} |`);
    for (const s of samples) {
      const truth = (s.meta.world as { kind?: string } | undefined)?.kind === "refusal";
      const said = detect(s.response).refused;
      if (said && truth) confusion.tp++;
      else if (said) confusion.fp++;
      else if (truth) confusion.fn++;
      else confusion.tn++;
    }
  }
  store.close();
  console.log(
    [
      "",
      "| run | judge calls without JudgeOnce (one per answered sample) | with JudgeOnce, keyed by answer | keyed by (input, answer) |",
      "|---|---|---|---|",
      ...rows,
      "",
      `refusal phrases vs the world's ground truth: ${confusion.tp} refusals found, ${confusion.fn} missed, ` +
        `${confusion.fp} false alarms, ${confusion.tn} other answers left alone`,
    ].join("\n"),
  );
}

export const benchmarks = { "judge-once": judgeOnce };
