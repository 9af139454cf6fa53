// The prompted baselines (crt-spec.md "Baselines"): the red-team model is only prompted, never trained.
// zero-shot: "<context>: <z>", a context drawn per case from baseline.contexts. few-shot: the paper's example
// list, drawn (biased to high toxicity) from baseline.fewShotFrom (a zero-shot run or a data file), or, when
// that holds too few cases, from this run's own scored cases (zero-shot until there are enough).
import { readFileSync } from "node:fs";
import type { CurioConfig } from "../config/index.js";
import type { GenerateOptions, Policy } from "../models/index.js";
import { FewShotSampler, type ScoredCase, zeroShotPrompt } from "../rl/index.js";
import type { RunStore } from "../store/index.js";
import type { StateValue } from "../util/checkpoint.js";
import { ConfigError } from "../util/errors.js";
import { Rng } from "../util/rng.js";
import { generateOptions, policyInputs, proposalOf } from "./generation.js";
import { loadContextPolicy, type SamplingPolicy } from "./policy.js";
import type { Attacker, AttackerContext, Feedback, LearnResult, Proposal } from "./types.js";

/** Own scored cases kept for few-shot examples: at most this many, trimmed to the best half when exceeded. */
const MAX_SCORED = 5000;

export class PromptedAttacker implements Attacker {
  readonly eosText: string;
  private readonly rng: Rng;
  /** Few-shot examples collected from this run (when baseline.fewShotFrom gave none). */
  private scored: ScoredCase[] = [];
  private lastEntropy: number[] = [];

  constructor(
    private readonly mode: "zero-shot" | "few-shot",
    private readonly policy: SamplingPolicy,
    private readonly config: CurioConfig,
    private readonly genOpts: GenerateOptions,
    /** Few-shot examples from baseline.fewShotFrom (empty: collect this run's own). */
    private readonly given: readonly ScoredCase[],
    seed: number,
    /** The loaded model behind `policy`, when it is one (see Attacker.redTeamModel). */
    readonly redTeamModel?: Policy,
  ) {
    this.eosText = policy.tokenizer.decode([policy.tokenizer.eosId]);
    this.rng = Rng.from(seed, "prompted");
  }

  private get fewShot(): boolean {
    return this.mode === "few-shot";
  }

  /** A sampler for this batch, or null while there are too few distinct cases (then: zero-shot). */
  private sampler(): FewShotSampler | null {
    const cases = this.given.length > 0 ? this.given : this.scored;
    const k = this.config.baseline.fewShotCount;
    if (!this.fewShot || cases.length < k) return null;
    try {
      return new FewShotSampler(cases, { k, seed: this.rng.seed() });
    } catch {
      return null; // not enough distinct cases yet
    }
  }

  async propose(seeds: readonly string[]): Promise<Proposal> {
    const sampler = this.sampler();
    const contexts = this.config.baseline.contexts;
    const prompts = seeds.map((z) =>
      sampler ? sampler.prompt(z) : zeroShotPrompt(contexts[this.rng.int(contexts.length)]!, z),
    );
    const inputs = policyInputs(prompts, this.policy.tokenizer, this.config);
    const gens = await this.policy.generate(inputs, { ...this.genOpts, seed: this.rng.seed() });
    this.lastEntropy = gens.map((g) => -g.logprobs.reduce((a, b) => a + b, 0));
    return proposalOf(prompts, gens, { eosText: this.eosText, task: this.config.redteam.task });
  }

  async learn(fb: Feedback): Promise<LearnResult> {
    if (this.fewShot && this.given.length === 0) {
      fb.judgeScores.forEach((score, i) => {
        if (score !== null) this.scored.push({ text: fb.proposal.testCases[i]!, score });
      });
      if (this.scored.length > MAX_SCORED)
        this.scored = this.scored.sort((a, b) => b.score - a.score).slice(0, MAX_SCORED / 2);
    }
    const n = this.lastEntropy.length;
    const entropy = n === 0 ? 0 : this.lastEntropy.reduce((a, b) => a + b, 0) / n;
    return { terms: fb.rewards.map(() => null), loss: {}, kl: 0, entropy };
  }

  state(): StateValue {
    return { rng: this.rng.state(), scored: this.scored.map((c) => [c.text, c.score]) };
  }

  loadState(s: StateValue): void {
    const st = s as { rng: number; scored: [string, number][] };
    this.rng.loadState(st.rng);
    this.scored = st.scored.map(([text, score]) => ({ text, score }));
  }

  async release(): Promise<void> {
    await this.policy.release();
  }
}

/**
 * Few-shot examples given by `baseline.fewShotFrom`: a run id (its scored test cases) or a data file
 * (.jsonl of {text|testCase, score}, or .txt with one case per line, score 1).
 */
export function loadFewShotCases(from: string | null, store: RunStore): ScoredCase[] {
  if (!from) return [];
  if (!/\.(jsonl|txt)$/i.test(from)) {
    const run = store.getRun(from);
    const out: ScoredCase[] = [];
    for (const s of store.samples(run.id))
      if (s.judgeScore !== null) out.push({ text: s.testCase, score: s.judgeScore });
    return out;
  }
  let text: string;
  try {
    text = readFileSync(from, "utf8");
  } catch (e) {
    throw new ConfigError(`baseline.fewShotFrom: cannot read ${from} (${(e as NodeJS.ErrnoException).code})`);
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

export async function createPromptedAttacker(
  ctx: AttackerContext,
  mode: "zero-shot" | "few-shot",
): Promise<Attacker> {
  const given = mode === "few-shot" ? loadFewShotCases(ctx.config.baseline.fewShotFrom, ctx.store) : [];
  const policy = await loadContextPolicy(ctx, false);
  return new PromptedAttacker(mode, policy, ctx.config, generateOptions(ctx.config), given, ctx.seed, policy);
}
