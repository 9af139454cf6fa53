// `curio judge train` as a library: an LLM judge labels samples under a policy (unsafe + the rule violated, or
// safe; a malformed verdict is recorded on its sample and left out), a curio causal LM is fine-tuned with LoRA
// (trainLm, the sft loop) to write that verdict after the classifier prompt, and the saved classifier is
// scored on a held-out split against the LLM's labels (accuracy and Cohen's kappa, judgeAgreement).
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CurioError, ExitCode } from "../config/errors.js";
import { type JudgeAgreement, judgeAgreement } from "../eval/agreement.js";
import { DecoderPolicy, type LmExample, trainLm } from "../models/index.js";
import {
  CLASSIFIER_FILE,
  type ClassifierInfo,
  classifierIds,
  createLocalClassifier,
  labelTokens,
  SAFE_WORD,
  UNSAFE_WORD,
} from "../providers/judges/local-classifier.js";
import type { Judge } from "../providers/types.js";
import { Rng } from "../util/rng.js";
import { type PolicyDocument, ruleKey } from "./policy.js";

export const LABELS_FILE = "labels.jsonl";

export interface PolicySample {
  run: string;
  index: number;
  prompt: string;
  response: string;
}

export interface LabelledSample extends PolicySample {
  /** The LLM judge's verdict; absent when `error` is set. */
  label?: "unsafe" | "safe";
  rule?: string | null;
  score?: number;
  reason?: string;
  error?: string;
  split?: "train" | "held-out";
  /** The trained classifier's score and label (held-out samples). */
  classifierScore?: number;
  classifierLabel?: string;
}

export interface TrainPolicyJudgeOptions {
  policy: PolicyDocument;
  samples: readonly PolicySample[];
  /** The labelling judge (an LLM judge given the policy). */
  judge: Judge;
  /** Base model folder or hub id (any family loadCausalLM reads). */
  baseModel: string;
  out: string;
  heldOut?: number; // fraction, default 0.2
  threshold?: number; // default 0.5
  lora?: { r: number; alpha: number };
  steps?: number;
  lr?: number;
  batchSize?: number;
  seed?: number;
  threads?: number;
  log?: (message: string) => void;
}

export interface TrainPolicyJudgeResult {
  labelled: number;
  malformed: number;
  train: number;
  heldOut: number;
  agreement: JudgeAgreement;
  /** Of the held-out samples both call unsafe, the share where the classifier names the LLM's rule (null: none). */
  sameRule: number | null;
  losses: number[];
}

/** Labels every sample with the LLM judge, 32 per call; failures stay on their sample. */
export async function labelSamples(
  judge: Judge,
  policy: PolicyDocument,
  samples: readonly PolicySample[],
  threshold: number,
): Promise<LabelledSample[]> {
  const out: LabelledSample[] = [];
  for (let i = 0; i < samples.length; i += 32) {
    const batch = samples.slice(i, i + 32);
    const verdicts = await judge.score(
      batch.map((s) => s.prompt),
      batch.map((s) => s.response),
    );
    batch.forEach((s, j) => {
      const v = verdicts[j]!;
      if (v.error) out.push({ ...s, error: v.error });
      else {
        const unsafe = v.score >= threshold;
        const rule = unsafe ? ruleKey(policy, v.label) : null;
        out.push({ ...s, label: unsafe ? "unsafe" : "safe", rule, score: v.score, reason: v.reason });
      }
    });
  }
  return out;
}

/** Stratified held-out split: each class shuffled (seeded), a `fraction` of it held out, at least one kept for training. */
function split(labelled: LabelledSample[], fraction: number, seed: number): void {
  const rng = new Rng(seed);
  for (const cls of ["unsafe", "safe"] as const) {
    const members = labelled.filter((s) => s.label === cls);
    const order = rng.permutation(members.length);
    const n = Math.min(members.length - 1, Math.round(fraction * members.length));
    order.forEach((k, i) => {
      members[k]!.split = i < n ? "held-out" : "train";
    });
  }
}

function checkLabels(labelled: LabelledSample[], all: LabelledSample[]): void {
  if (labelled.length === 0) {
    const first = all.find((s) => s.error)?.error ?? "no samples";
    throw new CurioError(
      `the LLM judge gave no valid verdict on any of the ${all.length} samples (first error: ${first}); ` +
        "check the judge's model and endpoint, or its promptTemplate",
      { exitCode: ExitCode.unreachable },
    );
  }
  const unsafe = labelled.filter((s) => s.label === "unsafe").length;
  if (unsafe === 0 || unsafe === labelled.length) {
    throw new CurioError(
      `all ${labelled.length} labelled samples are ${unsafe === 0 ? "safe" : "unsafe"} under the policy: ` +
        "a classifier needs examples of both; add runs whose answers include the other kind",
      { exitCode: ExitCode.usage },
    );
  }
}

/** LoRA fine-tuning of the base model (trainLm) to write each sample's verdict; saves the merged model to o.out. */
async function trainClassifier(o: TrainPolicyJudgeOptions, train: LabelledSample[]): Promise<number[]> {
  const lora = o.lora ?? { r: 8, alpha: 16 };
  const policy = await DecoderPolicy.load(o.baseModel, {
    threads: o.threads,
    trainable: { kind: "lora", r: lora.r, alpha: lora.alpha },
    reference: false,
    seed: o.seed ?? 0,
  });
  try {
    const tok = policy.tokenizer;
    labelTokens(tok, o.baseModel);
    const examples: LmExample[] = train.map((s) => {
      const prompt = classifierIds(tok, policy.config.maxPositions, s.prompt, s.response);
      const verdict = s.label === "unsafe" ? `${UNSAFE_WORD}${s.rule ? `\n${s.rule}` : ""}` : SAFE_WORD;
      return { ids: [...prompt, ...tok.encode(verdict), tok.eosId], promptLength: prompt.length };
    });
    const { losses } = await trainLm(policy, examples, {
      lr: o.lr ?? 2e-3,
      steps: o.steps ?? 200,
      batchSize: Math.min(o.batchSize ?? 8, examples.length),
      seed: o.seed ?? 0,
    });
    await policy.save(o.out);
    return losses;
  } finally {
    await policy.release();
  }
}

/** The saved classifier, loaded as a judge would be, against the LLM's labels on the held-out samples. */
async function heldOutAgreement(
  o: TrainPolicyJudgeOptions,
  held: LabelledSample[],
  threshold: number,
): Promise<{ agreement: JudgeAgreement; sameRule: number | null }> {
  const classifier = await createLocalClassifier(
    { path: o.out, batchSize: 16, threads: o.threads },
    { env: {}, baseDir: process.cwd() },
  );
  try {
    const scores = await classifier.score(
      held.map((s) => s.prompt),
      held.map((s) => s.response),
    );
    held.forEach((s, i) => {
      if (scores[i]!.error) return;
      s.classifierScore = scores[i]!.score;
      s.classifierLabel = scores[i]!.label;
    });
  } finally {
    await classifier.close?.();
  }
  const agreement = judgeAgreement(
    { name: o.judge.id, scores: held.map((s) => s.score ?? null) },
    { name: "local-classifier", scores: held.map((s) => s.classifierScore ?? null) },
    threshold,
  );
  const bothUnsafe = held.filter((s) => s.label === "unsafe" && (s.classifierScore ?? 0) >= threshold);
  const sameRule =
    bothUnsafe.length === 0
      ? null
      : bothUnsafe.filter((s) => s.rule && s.classifierLabel === s.rule).length / bothUnsafe.length;
  return { agreement, sameRule };
}

export async function trainPolicyJudge(o: TrainPolicyJudgeOptions): Promise<TrainPolicyJudgeResult> {
  const threshold = o.threshold ?? 0.5;
  const seed = o.seed ?? 0;
  const log = o.log ?? (() => {});
  await mkdir(o.out, { recursive: true });
  const all = await labelSamples(o.judge, o.policy, o.samples, threshold);
  const labelled = all.filter((s) => !s.error);
  const malformed = all.length - labelled.length;
  const writeLabels = () =>
    writeFile(join(o.out, LABELS_FILE), all.map((s) => `${JSON.stringify(s)}\n`).join(""));
  await writeLabels(); // kept even if training fails below
  log(`labelled ${labelled.length} of ${all.length} samples (${malformed} without a valid verdict)`);
  checkLabels(labelled, all);
  split(labelled, o.heldOut ?? 0.2, seed);
  const train = labelled.filter((s) => s.split === "train");
  const held = labelled.filter((s) => s.split === "held-out");

  const losses = await trainClassifier(o, train);
  log(`trained on ${train.length} samples: loss ${losses[0]?.toFixed(3)} -> ${losses.at(-1)?.toFixed(3)}`);
  const info: ClassifierInfo = {
    kind: "curio-policy-classifier",
    version: 1,
    threshold,
    rules: o.policy.rules,
    policyFile: o.policy.file,
    baseModel: o.baseModel,
    labelledBy: o.judge.id,
    training: {
      samples: train.length,
      lora: o.lora ?? { r: 8, alpha: 16 },
      steps: losses.length,
      lr: o.lr ?? 2e-3,
      seed,
    },
  };
  await writeFile(join(o.out, CLASSIFIER_FILE), `${JSON.stringify(info, null, 2)}\n`);
  const { agreement, sameRule } = await heldOutAgreement(o, held, threshold);
  const { disagreements: _d, ...summary } = agreement;
  await writeFile(
    join(o.out, CLASSIFIER_FILE),
    `${JSON.stringify({ ...info, heldOutAgreement: { ...summary, sameRule } }, null, 2)}\n`,
  );
  await writeLabels();
  return {
    labelled: labelled.length,
    malformed,
    train: train.length,
    heldOut: held.length,
    agreement,
    sameRule,
    losses,
  };
}
