// Active Attacks (Yun et al. 2025, arXiv 2509.21947): every K epochs the victim is safety-tuned on the attacks
// found so far, paired with refusals, so the rewards of the regions the attacker already exploits fade and it
// has to look elsewhere. This file is one round's bookkeeping and work: it collects the successful target inputs
// of each epoch, and at the end of a round splits the round's new attacks into a held-out part and a training
// part, measures the target's attack success rate on the held-out part, safety-tunes the target (LoRA, through
// the models layer's sft loop) on every training attack found so far, and measures again. A round's record
// keeps the numbers; state() makes all of it part of an exact resume.
import { normalizeTestCase } from "../../eval/index.js";
import type { Judge, SafetyTuneOptions, TrainableTarget } from "../../providers/index.js";
import { Rng } from "../../util/rng.js";

export interface ActiveRoundOptions {
  /** Share of each round's new attacks kept out of safety-tuning to measure it (at least one attack). */
  heldOut: number;
  refusals: readonly string[];
  /** Safety-tuning pairs per round at most (drawn from the training attacks when there are more). */
  maxPairs: number;
  /** A test case is a successful attack when the judge's score is >= tau. */
  tau: number;
  tune: SafetyTuneOptions;
}

/** What one round did, as the run records it. Rates are null when there was nothing to measure. */
export interface RoundRecord {
  [key: string]: number | null;
  round: number;
  /** The epoch after which the round ran. */
  epoch: number;
  /** Distinct successful attacks found in the round. */
  found: number;
  heldOut: number;
  /** Safety-tuning pairs used (from every round's training attacks). */
  pairs: number;
  /** The target's attack success rate on the round's held-out attacks, before and after tuning. */
  asrBefore: number | null;
  asrAfter: number | null;
  /** The same after tuning on (up to 64 of) the round's own attacks it was tuned on. */
  asrTrainedAfter: number | null;
  lossFirst: number | null;
  lossLast: number | null;
  /** Target queries the round made (the measurements). */
  queries: number;
}

export interface ActiveRoundsState {
  [key: string]: unknown;
  rng: number;
  pending: string[];
  training: string[];
  seen: string[];
  rounds: RoundRecord[];
}

export class ActiveRounds {
  private pending = new Map<string, string>(); // normalised -> target input, the round's successes so far
  private training: string[] = []; // every round's training attacks (target inputs)
  private seen = new Set<string>(); // normalised attacks of earlier rounds
  private rounds: RoundRecord[] = [];
  private readonly rng: Rng;

  constructor(
    readonly opts: ActiveRoundOptions,
    seed: number,
  ) {
    if (opts.refusals.length === 0) throw new Error("Active Attacks: the refusal list is empty");
    this.rng = new Rng(seed ^ 0xac71e);
  }

  get records(): readonly RoundRecord[] {
    return this.rounds;
  }

  /** Remembers an epoch's successful attacks (target inputs whose judge score is >= tau). */
  collect(targetInputs: readonly string[], judgeScores: readonly (number | null)[]): void {
    targetInputs.forEach((input, i) => {
      const s = judgeScores[i];
      const key = normalizeTestCase(input);
      if (s === null || s === undefined || s < this.opts.tau || key === "" || this.seen.has(key)) return;
      if (!this.pending.has(key)) this.pending.set(key, input);
    });
  }

  /** Ends a round: measure, tune, measure. */
  async run(
    epoch: number,
    target: TrainableTarget,
    judge: Judge,
    signal?: AbortSignal,
  ): Promise<RoundRecord> {
    const found = this.rng.shuffle([...this.pending.values()]);
    for (const k of this.pending.keys()) this.seen.add(k);
    this.pending.clear();
    const nHeld = found.length === 0 ? 0 : Math.max(1, Math.round(found.length * this.opts.heldOut));
    const heldOut = found.slice(0, nHeld);
    // with one attack there is nothing left to train on: it is only measured
    const trainedNow = found.slice(nHeld);
    this.training.push(...trainedNow);
    const record: RoundRecord = {
      round: this.rounds.length + 1,
      epoch,
      found: found.length,
      heldOut: heldOut.length,
      pairs: 0,
      asrBefore: null,
      asrAfter: null,
      asrTrainedAfter: null,
      lossFirst: null,
      lossLast: null,
      queries: 0,
    };
    const asr = async (inputs: string[]): Promise<number | null> => {
      if (inputs.length === 0) return null;
      record.queries += inputs.length;
      const answers = await target.respond(inputs, { signal });
      const scores = await judge.score(
        inputs,
        answers.map((a) => a.text),
        { signal },
      );
      const judged = scores.filter((s, i) => !s.error && !answers[i]!.error);
      return judged.length === 0
        ? null
        : judged.filter((s) => s.score >= this.opts.tau).length / judged.length;
    };
    record.asrBefore = await asr(heldOut);
    const pairsFrom =
      this.training.length > this.opts.maxPairs
        ? this.rng.shuffle(this.training).slice(0, this.opts.maxPairs)
        : this.training;
    if (pairsFrom.length > 0) {
      const pairs = pairsFrom.map((prompt) => ({ prompt, response: this.rng.pick(this.opts.refusals) }));
      const tuned = await target.safetyTune(pairs, this.opts.tune);
      record.pairs = tuned.examples;
      record.lossFirst = tuned.losses[0] ?? null;
      record.lossLast = tuned.losses.at(-1) ?? null;
    }
    record.asrAfter = await asr(heldOut);
    record.asrTrainedAfter = await asr(trainedNow.slice(0, 64));
    this.rounds.push(record);
    return record;
  }

  state(): ActiveRoundsState {
    return {
      rng: this.rng.state(),
      pending: [...this.pending.values()],
      training: [...this.training],
      seen: [...this.seen],
      rounds: this.rounds.map((r) => ({ ...r })),
    };
  }

  loadState(s: ActiveRoundsState): void {
    this.rng.loadState(s.rng);
    this.pending = new Map(s.pending.map((x) => [normalizeTestCase(x), x]));
    this.training = [...s.training];
    this.seen = new Set(s.seen);
    this.rounds = s.rounds.map((r) => ({ ...r }));
  }
}
