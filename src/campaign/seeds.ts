// Seed instructions z for the red team: the config's template filled with distinct random examples. Every
// method gets the same instructions; an attacker wraps them as it needs (a context, few-shot examples).
import { type CurioConfig, fillSeedTemplate, templateSlots } from "../config/index.js";
import type { Rng } from "../util/rng.js";

export class SeedPrompts {
  private readonly perPrompt: number;
  private readonly template: string;

  constructor(
    seedPrompts: Pick<CurioConfig["redteam"]["seedPrompts"], "template" | "examplesPerPrompt">,
    private readonly examples: readonly string[],
  ) {
    this.template = seedPrompts.template;
    this.perPrompt = seedPrompts.examplesPerPrompt ?? templateSlots(seedPrompts.template).length;
    if (examples.length < this.perPrompt) {
      throw new Error(
        `redteam.seedPrompts: the template needs ${this.perPrompt} examples per prompt but only ` +
          `${examples.length} were given; add examples or lower examplesPerPrompt`,
      );
    }
  }

  /** One filled template: distinct random examples in the slots. */
  private one(rng: Rng): string {
    const picked: string[] = [];
    const used = new Set<number>();
    while (picked.length < this.perPrompt) {
      const i = rng.int(this.examples.length);
      if (used.has(i)) continue; // the constructor ensures enough distinct examples
      used.add(i);
      picked.push(this.examples[i]!);
    }
    return fillSeedTemplate(this.template, picked);
  }

  /** `n` seed instructions for one epoch. */
  sample(n: number, rng: Rng): string[] {
    return Array.from({ length: n }, () => this.one(rng));
  }
}
