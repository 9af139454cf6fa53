// Seed instructions z for the red team: the config's template filled with random examples, wrapped in the
// zero-shot / few-shot templates for the prompted baselines (crt-spec.md "Baselines").

import type { CurioConfig } from "../config/index.js";
import { fillSeedTemplate, templateSlots } from "../config/index.js";
import { FewShotSampler, type ScoredCase, zeroShotPrompt } from "../rl/index.js";
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
      if (used.has(i) && used.size < this.examples.length) continue;
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
