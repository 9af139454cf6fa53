// Seed instructions z for the red team: the config's template filled with random examples, wrapped in the
// zero-shot / few-shot templates for the prompted baselines (crt-spec.md "Baselines").

import { readFileSync } from "node:fs";
import { ConfigError, type CurioConfig, fillSeedTemplate, templateSlots } from "../config/index.js";
import { FewShotSampler, type ScoredCase, zeroShotPrompt } from "../rl/index.js";
import type { RunStore } from "../store/index.js";
import type { Rng } from "../util/rng.js";

export class SeedPrompts {
  private readonly perPrompt: number;

  constructor(
    private readonly config: CurioConfig,
    private readonly examples: readonly string[],
  ) {
    const sp = config.redteam.seedPrompts;
    this.perPrompt = sp.examplesPerPrompt ?? templateSlots(sp.template).length;
    if (examples.length < this.perPrompt) {
      throw new Error(
        `redteam.seedPrompts: the template needs ${this.perPrompt} examples per prompt but only ` +
          `${examples.length} were given; add examples or lower examplesPerPrompt`,
      );
    }
  }

  /** One filled template: distinct random examples in the slots. */
  private base(rng: Rng): string {
    const picked: string[] = [];
    const used = new Set<number>();
    while (picked.length < this.perPrompt) {
      const i = rng.int(this.examples.length);
      if (used.has(i)) continue; // the constructor ensures enough distinct examples
      used.add(i);
      picked.push(this.examples[i]!);
    }
    return fillSeedTemplate(this.config.redteam.seedPrompts.template, picked);
  }

  /**
   * `n` seed instructions for one epoch. Zero-shot: "<context>: <z>". Few-shot: the paper's example list, drawn
   * (biased to high toxicity) from `scored` cases; with none yet, falls back to zero-shot.
   */
  sample(n: number, rng: Rng, scored: readonly ScoredCase[] = []): string[] {
    const method = this.config.method;
    const contexts = this.config.baseline.contexts;
    const out: string[] = [];
    let fewShot: FewShotSampler | null = null;
    if (method === "few-shot" && scored.length >= this.config.baseline.fewShotCount) {
      try {
        fewShot = new FewShotSampler(scored, { k: this.config.baseline.fewShotCount, seed: rng.seed() });
      } catch {
        fewShot = null; // not enough distinct cases yet: stay zero-shot this epoch
      }
    }
    for (let i = 0; i < n; i++) {
      const z = this.base(rng);
      if (method === "zero-shot" || (method === "few-shot" && !fewShot)) {
        out.push(zeroShotPrompt(contexts[rng.int(contexts.length)]!, z));
      } else if (fewShot) {
        out.push(fewShot.prompt(z));
      } else {
        const ctx = this.config.redteam.seedPrompts.context;
        out.push(ctx ? zeroShotPrompt(ctx, z) : z);
      }
    }
    return out;
  }
}

/**
 * Few-shot examples given by `baseline.fewShotFrom`: a run id (its scored test cases) or a data file
 * (.jsonl of {text|testCase, score}, or .txt with one case per line, score 1).
 */
export function loadFewShotCases(from: string | null, store: RunStore): ScoredCase[] {
  if (!from) return [];
  if (/\.(jsonl|txt)$/i.test(from)) {
    let text: string;
    try {
      text = readFileSync(from, "utf8");
    } catch (e) {
      throw new ConfigError(
        `baseline.fewShotFrom: cannot read ${from} (${(e as NodeJS.ErrnoException).code})`,
      );
    }
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
    if (from.toLowerCase().endsWith(".txt")) return lines.map((l) => ({ text: l.trim(), score: 1 }));
    return lines.map((line, i) => {
      let row: { text?: unknown; testCase?: unknown; score?: unknown };
      try {
        row = JSON.parse(line);
      } catch {
        throw new ConfigError(`baseline.fewShotFrom: ${from} line ${i + 1} is not JSON`);
      }
      const t = row.text ?? row.testCase;
      if (typeof t !== "string")
        throw new ConfigError(`baseline.fewShotFrom: ${from} line ${i + 1} has no "text"`);
      return { text: t, score: typeof row.score === "number" ? row.score : 1 };
    });
  }
  const run = store.getRun(from);
  const out: ScoredCase[] = [];
  for (const s of store.samples(run.id))
    if (s.judgeScore !== null) out.push({ text: s.testCase, score: s.judgeScore });
  return out;
}
