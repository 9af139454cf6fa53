// The corpus baseline: send the seed corpus's lines to the target as they are, in order, one per test case
// (wrapping around when the corpus runs out). No model, no training. Every learnt attacker should beat it at
// the same number of target queries: it is the baseline a user should see beside their results.
import { isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { readSeedExamples } from "../config/seed-examples.js";
import type { StateValue } from "../util/checkpoint.js";
import { ConfigError, CurioError } from "../util/errors.js";
import { Rng } from "../util/rng.js";
import type { Attacker, AttackerContext, Feedback, LearnResult, Proposal } from "./types.js";

export const corpusOptions = z.strictObject({
  from: z
    .union([
      z.enum(["auto", "examples", "pretraining"]),
      z.strictObject({
        path: z.string().min(1).describe("Data file, relative to curio.yaml: .jsonl, .json, .csv or .txt."),
        field: z.string().min(1).optional().describe("Field or column holding the text."),
        limit: z.number().int().positive().optional().describe("Read at most this many lines."),
      }),
    ])
    .default("auto")
    .describe(
      "examples: redteam.seedPrompts' examples; pretraining: the corpus the red-team model was pretrained on " +
        "(known for the sandbox world); auto: pretraining when known, else examples; or a data file.",
    ),
  shuffle: z
    .boolean()
    .default(false)
    .describe("Send the lines in a seeded random order instead of as they come (the first N lines)."),
});
export type CorpusOptions = z.output<typeof corpusOptions>;

export class CorpusAttacker implements Attacker {
  readonly eosText = null;
  /** Index of the next line to send. */
  private next = 0;

  constructor(private readonly lines: readonly string[]) {
    if (lines.length === 0) throw new ConfigError("attack.from: the corpus has no non-empty lines");
  }

  async propose(seeds: readonly string[]): Promise<Proposal> {
    const testCases = seeds.map(() => {
      const line = this.lines[this.next % this.lines.length]!;
      this.next++;
      return line;
    });
    return { prompts: seeds.map(() => ""), testCases, finishReasons: testCases.map(() => "stop") };
  }

  async learn(fb: Feedback): Promise<LearnResult> {
    return { terms: fb.rewards.map(() => null), loss: {}, kl: 0, entropy: 0 };
  }

  state(): StateValue {
    return { next: this.next };
  }

  loadState(s: StateValue): void {
    this.next = (s as { next: number }).next;
  }

  async release(): Promise<void> {}
}

/** The corpus lines `from` names, trimmed, empty ones dropped; shuffled with the run's seed when asked. */
export function corpusLines(ctx: AttackerContext<CorpusOptions>): string[] {
  const { from, shuffle } = ctx.options;
  let lines: string[];
  if (from === "pretraining" && !ctx.source.corpus) {
    throw new ConfigError(
      "attack.from: pretraining: curio does not know the corpus this red-team model was pretrained on",
      { hint: 'use from: examples, or from: { path: "your-corpus.txt" }' },
    );
  }
  if (from === "pretraining" || (from === "auto" && ctx.source.corpus)) lines = [...ctx.source.corpus!];
  else if (from === "examples" || from === "auto") lines = [...ctx.source.examples];
  else {
    const path = isAbsolute(from.path) ? from.path : resolve(ctx.baseDir, from.path);
    try {
      lines = readSeedExamples({ examples: { ...from, path } });
    } catch (e) {
      const hint = e instanceof CurioError ? e.hint : undefined;
      throw new ConfigError(`attack.from: ${(e as Error).message}`, { hint, cause: e });
    }
  }
  lines = lines.map((l) => l.trim()).filter((l) => l !== "");
  // a generator of its own, so that shuffling moves no other random stream of the run
  return shuffle ? Rng.from(ctx.seed, "corpus").shuffle(lines) : lines;
}

export async function createCorpusAttacker(ctx: AttackerContext<CorpusOptions>): Promise<Attacker> {
  const lines = corpusLines(ctx);
  ctx.log(
    `corpus: ${lines.length} lines, sent ${ctx.options.shuffle ? "in a seeded random order" : "in order"}`,
  );
  return new CorpusAttacker(lines);
}
