// MLE smoothing (Lee et al. 2025, section 3.2): after GFlowNet fine-tuning, the *initial* attacker is fine-tuned
// by maximum likelihood on the high-reward test cases the GFlowNet found, which keeps their diversity and
// smooths the sampler over them. The training loop is the models layer's sft loop (trainLm); the loss is
// log p(x | z): the seed prompt z is context only.
import { type LmExample, type Policy, trainLm } from "../../models/index.js";

/** A successful test case as the attacker wrote it. */
export interface CollectedCase {
  promptIds: number[];
  /** The sampled ids, with the token that ended the case (EOS or the stop sequence) when there was one. */
  responseIds: number[];
  /** What ends a case cut at the length limit (see Trajectory.terminator); empty for one that ended itself. */
  terminator: number[];
  text: string;
  judgeScore: number;
}

export interface MleOptions {
  steps: number;
  lr: number;
  batchSize: number;
  seed: number;
}

/**
 * The high-reward set: cases whose judge score reached the success threshold, one per distinct test case (the
 * highest-scoring), at most `capacity` (the lowest scores leave first). Plain data, so it checkpoints.
 */
export class HighRewardSet {
  private cases = new Map<string, CollectedCase>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.cases.size;
  }

  add(c: CollectedCase): void {
    const had = this.cases.get(c.text);
    if (had && had.judgeScore >= c.judgeScore) return;
    this.cases.set(c.text, copyCase(c));
    if (this.cases.size > this.capacity) {
      let low: CollectedCase | null = null;
      for (const x of this.cases.values()) if (!low || x.judgeScore < low.judgeScore) low = x;
      this.cases.delete(low!.text);
    }
  }

  list(): CollectedCase[] {
    return [...this.cases.values()];
  }

  state(): { cases: CollectedCase[] } {
    return {
      cases: this.list().map((c) => ({ ...c, promptIds: [...c.promptIds], responseIds: [...c.responseIds] })),
    };
  }

  loadState(s: { cases: CollectedCase[] }): void {
    this.cases = new Map(s.cases.map((c) => [c.text, copyCase(c)]));
  }
}

/** Training examples: z + x + its terminator, loss on x only; too long ones left out. */
export function mleExamples(cases: readonly CollectedCase[], maxPositions: number): LmExample[] {
  return cases
    .map((c) => ({
      ids: [...c.promptIds, ...c.responseIds, ...c.terminator],
      promptLength: c.promptIds.length,
    }))
    .filter((e) => e.ids.length <= maxPositions && e.ids.length > e.promptLength);
}

/** Fine-tunes `policy` (the initial attacker, freshly loaded) on the collected cases. */
export async function mleSmooth(
  policy: Policy,
  cases: readonly CollectedCase[],
  opts: MleOptions,
): Promise<{ examples: number; losses: number[] }> {
  const examples = mleExamples(cases, policy.config.maxPositions);
  if (examples.length === 0) return { examples: 0, losses: [] };
  const { losses } = await trainLm(policy, examples, {
    lr: opts.lr,
    steps: opts.steps,
    batchSize: Math.min(opts.batchSize, examples.length),
    seed: opts.seed,
  });
  return { examples: examples.length, losses };
}

function copyCase(c: CollectedCase): CollectedCase {
  return {
    ...c,
    promptIds: [...c.promptIds],
    responseIds: [...c.responseIds],
    terminator: [...c.terminator],
  };
}
