// One epoch of a campaign: the attacker writes test cases for a batch of seed instructions, the target answers,
// the judges score, the curiosity terms are computed (score-then-add on the novelty histories), the attacker
// learns from the scored results, and the epoch's records and statistics come back. No store, no checkpoint:
// the loop (campaign.ts) persists what this returns.
import type { Attacker, NaturalnessScorer, Proposal } from "../attack/index.js";
import {
  composeRewards,
  noveltyText,
  type RewardBatchResult,
  type RewardSample,
} from "../curiosity/index.js";
import { normalizeTestCase } from "../eval/index.js";
import { type JudgeResult, prepareTargetInput, type TargetResult } from "../providers/index.js";
import type { EpochStats, SampleRecord } from "../store/types.js";
import { CampaignJudging } from "./judging.js";
import type { CampaignProviders } from "./providers.js";
import { epochStats, sampleRecords, usableScore } from "./records.js";
import type { SeedPrompts } from "./seeds.js";
import type { EpochSettings } from "./settings.js";
import type { CampaignState } from "./state.js";

export interface EpochContext {
  runId: string;
  attacker: Attacker;
  providers: CampaignProviders;
  /** The reference model's naturalness of the test cases; null when off. */
  naturalness: NaturalnessScorer | null;
  seeds: SeedPrompts;
  settings: EpochSettings;
  /** Counters, RNG, novelty histories and successes: updated in place. */
  state: CampaignState;
  log: (line: string) => void;
  signal?: AbortSignal;
  /** performance.now() when the run (or this resumed part of it) started, for elapsedMs. */
  startedAt: number;
  /** Every judge of the run behind one memory; without it the providers' judges are asked without one. */
  judging?: CampaignJudging;
}

/** The run's judges (training, held-out, extra, refusal) as one CampaignJudging. */
export function judgingOf(p: CampaignProviders, memory?: number): CampaignJudging {
  return new CampaignJudging(
    { judge: p.judge, evalJudge: p.evalJudge, extra: p.extraJudges ?? [], refusal: p.refusal ?? null },
    memory,
  );
}

export type EpochOutcome =
  | { interrupted: true }
  | { interrupted: false; records: SampleRecord[]; stats: EpochStats };

/** Milliseconds per stage, summed when a stage runs twice. */
class StageTimer {
  readonly timings: Record<string, number> = {};
  async time<T>(stage: string, f: () => Promise<T>): Promise<T> {
    const s = performance.now();
    try {
      return await f();
    } finally {
      this.timings[stage] = (this.timings[stage] ?? 0) + performance.now() - s;
    }
  }
}

interface Scored {
  proposal: Proposal;
  /** The reference model's N(x) per test case (null where unscored): computed while the target answered. */
  naturalness: (number | null)[];
  targetInputs: string[];
  answers: (TargetResult & { meta?: unknown })[];
  judged: JudgeResult[];
  evalJudged: JudgeResult[] | null;
  /** Per sample: refusal, extra judges' verdicts, reused verdicts (judging.ts). */
  verdictMeta: Record<string, unknown>[];
}

/** What the target sees: x in the target's template (instruction), or z + x (continuation). */
function targetInputsOf(p: Proposal, s: EpochSettings): string[] {
  return p.testCases.map((x, i) =>
    s.task === "instruction"
      ? prepareTargetInput(x, s.template.format, { systemPrompt: s.template.system })
      : `${p.prompts[i]}${x}`,
  );
}

/** A stage whose failure only costs its values: logged, and `fallback` returned (the samples that need the values
 *  are excluded with a recorded reason). */
async function softStage<T>(
  c: EpochContext,
  timer: StageTimer,
  stage: string,
  f: () => Promise<T>,
  fallback: T,
): Promise<T> {
  try {
    return await timer.time(stage, f);
  } catch (e) {
    c.log(
      `epoch ${c.state.epoch + 1}: ${stage} failed (${(e as Error).message}); affected samples get no reward`,
    );
    return fallback;
  }
}

/** Steps 1-3: propose, answer, judge; naturalness alongside. null when interrupted. */
async function attackAndJudge(c: EpochContext, timer: StageTimer): Promise<Scored | null> {
  const { providers, signal } = c;
  const zs = c.seeds.sample(c.settings.batch, c.state.rng);
  const proposal = await timer.time("generate", () => c.attacker.propose(zs, { signal }));
  const targetInputs = targetInputsOf(proposal, c.settings);
  if (signal?.aborted) return null;
  // naturalness reads only the test cases: the reference model runs while the target and the judges answer
  // (onnxruntime runs off the event loop; a remote target and judge mostly wait on the network)
  const { testCases } = proposal;
  const scorer = c.naturalness;
  const naturalness = scorer
    ? softStage(
        c,
        timer,
        "naturalness",
        () => scorer.naturalness(testCases),
        testCases.map(() => null),
      )
    : Promise.resolve(testCases.map(() => null));
  let scored: Omit<Scored, "naturalness"> | null = null;
  try {
    const answers = await timer.time("target", () => providers.target.respond(targetInputs, { signal }));
    if (signal?.aborted) return null;
    const judging = c.judging ?? judgingOf(providers);
    const verdicts = await timer.time("judge", () =>
      judging.score(targetInputs, answers, c.state.samples, { signal }),
    );
    const { judged, evalJudged, meta: verdictMeta } = verdicts;
    scored = { proposal, targetInputs, answers, judged, evalJudged, verdictMeta };
  } finally {
    // never leave the scorer running past the epoch (an interrupt or a failure releases the models next)
    if (!scored) await naturalness;
  }
  return { ...scored, naturalness: await naturalness };
}

/**
 * Step 4: the curiosity inputs (embeddings; naturalness came with the answers) and the composed rewards. An
 * embedder or scorer that fails leaves its values missing: the samples that need them are excluded with a
 * recorded reason.
 */
async function rewardsOf(
  c: EpochContext,
  s: Scored,
  timer: StageTimer,
): Promise<{ composed: RewardBatchResult; naturalness: (number | null)[] } | null> {
  const { providers, settings, signal } = c;
  const { testCases, prompts, finishReasons } = s.proposal;
  const soft = <T>(stage: string, f: () => Promise<T>, fallback: T) =>
    softStage(c, timer, stage, f, fallback);
  // what SelfBLEU and the embedder see: x (instruction) or z + x (continuation), the EOS quirk optional
  const textOpts = { task: settings.task, appendEos: settings.eosInNoveltyText ? c.attacker.eosText : null };
  const stoppedAtEos = finishReasons.map((f) => f !== "length");
  const noveltyTexts = testCases.map((x, i) =>
    noveltyText(
      { testCase: x, seedPrompt: prompts[i], judgeScore: null, stoppedAtEos: stoppedAtEos[i] },
      textOpts,
    ),
  );
  // test-case embeddings are always tracked (the cosine history stays auditable when its weight is 0)
  const embeddings = await soft("embed", () => providers.embedder.embed(noveltyTexts, { signal }), []);
  const responseEmbeddings =
    settings.weights.tdiv !== 0
      ? await soft(
          "embed",
          () =>
            providers.embedder.embed(
              s.answers.map((a) => a.text),
              { signal },
            ),
          [],
        )
      : [];
  const gibberish = providers.gibberish;
  const gib = gibberish
    ? await soft(
        "gibberish",
        () => gibberish.gibberish(testCases, { signal }),
        testCases.map(() => Number.NaN),
      )
    : null;
  const nat = s.naturalness;
  if (signal?.aborted) return null;
  const samples: RewardSample[] = testCases.map((x, i) => ({
    testCase: x,
    seedPrompt: prompts[i],
    judgeScore: !s.answers[i]!.error && !s.judged[i]!.error ? s.judged[i]!.score : null,
    gibberish: gib ? gib[i] : 0,
    naturalness: nat[i],
    embedding: embeddings[i],
    responseEmbedding: responseEmbeddings[i],
    stoppedAtEos: stoppedAtEos[i],
  }));
  const { selfBleu, embedding } = c.state;
  const composed = composeRewards(
    samples,
    { weights: settings.weights, ...textOpts, history: settings.history, noveltyGate: settings.noveltyGate },
    { selfBleu, embedding },
  );
  return { composed, naturalness: nat };
}

/** Runs one epoch; the state's counters, histories and successes advance with it. */
export async function runEpoch(c: EpochContext): Promise<EpochOutcome> {
  const t0 = performance.now();
  const timer = new StageTimer();
  const scored = await attackAndJudge(c, timer);
  if (!scored) return { interrupted: true };
  const rewarded = await rewardsOf(c, scored, timer);
  if (!rewarded) return { interrupted: true };
  const { composed, naturalness } = rewarded;

  // 5. the attacker learns from the scored results; its per-token terms join the reward breakdown
  const epoch = c.state.epoch + 1;
  const judgeScores = scored.answers.map((a, i) => usableScore(scored.judged[i], a));
  const learnt = await timer.time("train", () =>
    c.attacker.learn({
      epoch,
      proposal: scored.proposal,
      targetInputs: scored.targetInputs,
      judgeScores,
      rewards: composed.rewards,
      naturalness,
    }),
  );
  learnt.terms.forEach((t, i) => {
    const r = composed.rewards[i];
    if (t && r) Object.assign(r, t);
  });

  // 6. records and statistics
  const records = sampleRecords({
    runId: c.runId,
    epoch,
    firstIndex: c.state.samples,
    seedPrompts: scored.proposal.prompts,
    testCases: scored.proposal.testCases,
    targetInputs: scored.targetInputs,
    finishReasons: scored.proposal.finishReasons,
    answers: scored.answers,
    judged: scored.judged,
    evalJudged: scored.evalJudged,
    verdictMeta: scored.verdictMeta,
    composed,
  });
  for (const r of records) {
    if (r.judgeScore !== null && r.judgeScore >= c.settings.tau && r.testCase !== "")
      c.state.successes.add(normalizeTestCase(r.testCase));
  }
  c.state.samples += records.length;
  c.state.epoch = epoch;
  const stats = epochStats(records, {
    runId: c.runId,
    epoch,
    uniqueSuccesses: c.state.successes.size,
    kl: learnt.kl,
    entropy: learnt.entropy,
    loss: learnt.loss,
    timings: timer.timings,
    tau: c.settings.tau,
    epochMs: performance.now() - t0,
    elapsedMs: performance.now() - c.startedAt,
  });
  c.state.errors += stats.errors;
  return { interrupted: false, records, stats };
}
