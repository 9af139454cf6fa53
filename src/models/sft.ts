// Supervised fine-tuning of a causal LM of any family on JSONL text or token ids, with transformers' causal-LM
// loss (labels = input_ids): mean cross-entropy over every shifted, non-padding position of the batch.
import { readFile } from "node:fs/promises";
import {
  AdamW,
  compileCacheDir,
  type Device,
  Graph,
  gradients,
  type Optimizer,
  SGD,
  type Tensor,
} from "../engine/index.js";
import { Rng } from "../util/rng.js";
import { roundUp } from "./generate.js";
import { DecoderPolicy } from "./policy.js";
import type { Policy } from "./policy-types.js";
import type { TextTokenizer } from "./tokenizer.js";
import { parseTrainable, type Trainable } from "./trainable.js";

export interface SftOptions {
  model: string; // folder or hub id
  data: string; // JSONL file: {"text": ...} or {"ids": [...]} per line
  optimizer?: "sgd" | "adamw"; // default adamw
  lr?: number; // default 5e-5
  steps?: number; // default 100
  batchSize?: number; // default 8
  trainable?: Trainable | string; // default full
  shuffle?: boolean; // default true
  addEos?: boolean; // append EOS to "text" examples
  seed?: number; // default 0 (shuffling and LoRA init)
  out?: string; // folder for the fine-tuned model (HF layout)
  peftOut?: string; // folder for the LoRA adapters as a PEFT adapter (trainable lora only)
  adapter?: string; // a PEFT adapter folder to start from
  threads?: number;
  device?: Device; // default cpu
  onStep?: (step: number, loss: number) => void;
  /** Problems worth a word that do not stop training (words the tokenizer does not know). */
  onWarning?: (message: string) => void;
}

export interface SftResult {
  steps: number;
  losses: number[];
  finalLoss: number;
  examples: number;
  truncated: number;
  /** Tokens of "text" examples that became the tokenizer's unknown token, and a few of those words. */
  unknownWords: UnknownWords;
  trainableParams: number;
  seconds: number;
  out?: string;
  peftOut?: string;
}

export interface UnknownWords {
  count: number;
  examples: string[];
}

const UNKNOWN_TOKEN = /^(<unk>|\[UNK\]|<\|unk\|>|<unknown>)$/i;

/** Counts the tokens of `text` that are the tokenizer's unknown token, naming the first few words. */
function countUnknown(
  tokenizer: TextTokenizer,
  ids: number[],
  text: string,
  into: UnknownWords,
  isUnk: Map<number, boolean>,
): void {
  const unk = (id: number) => {
    const known = isUnk.get(id);
    if (known !== undefined) return known;
    const v = UNKNOWN_TOKEN.test(tokenizer.decode([id]));
    isUnk.set(id, v);
    return v;
  };
  const n = ids.filter(unk).length;
  if (n === 0) return;
  into.count += n;
  for (const word of text.split(/\s+/)) {
    if (into.examples.length >= 5) break;
    if (word !== "" && !into.examples.includes(word) && tokenizer.encode(word).some(unk))
      into.examples.push(word);
  }
}

/**
 * Reads JSONL examples into token id lists; bad lines name their line number. Words the tokenizer maps to
 * its unknown token are counted into `opts.unknown`.
 */
export async function readSftData(
  file: string,
  tokenizer: TextTokenizer,
  opts: { addEos?: boolean; vocabSize: number; unknown?: UnknownWords },
): Promise<number[][]> {
  const isUnk = new Map<number, boolean>();
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new Error(`${file}: cannot read the training data (${(e as Error).message})`);
  }
  const out: number[][] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    const where = `${file}:${i + 1}`;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (e) {
      throw new Error(
        `${where}: not valid JSON (${(e as Error).message}); each line must be {"text": ...} or {"ids": [...]}`,
      );
    }
    const r = row as { text?: unknown; ids?: unknown };
    let ids: number[];
    if (r && typeof r === "object" && typeof r.text === "string") {
      ids = tokenizer.encode(r.text);
      if (opts.unknown) countUnknown(tokenizer, ids, r.text, opts.unknown, isUnk);
      if (opts.addEos) ids.push(tokenizer.eosId);
    } else if (r && typeof r === "object" && Array.isArray(r.ids)) {
      ids = r.ids as number[];
      const bad = ids.find((x) => !Number.isInteger(x) || x < 0 || x >= opts.vocabSize);
      if (bad !== undefined)
        throw new Error(`${where}: token id ${JSON.stringify(bad)} is outside [0, ${opts.vocabSize})`);
    } else {
      throw new Error(`${where}: expected {"text": "..."} or {"ids": [...]}, got ${line.slice(0, 80)}`);
    }
    if (ids.length === 0) throw new Error(`${where}: the example has no tokens`);
    out.push(ids);
  });
  if (out.length === 0) throw new Error(`${file}: no examples (expected one JSON object per line)`);
  return out;
}

/** The causal-LM loss graph over a right-padded [B,T] batch; outputs "loss" and one gradient per param. */
export function lmLossGraph(policy: Policy, B: number, T: number): Graph {
  const g = new Graph();
  const ids = g.input("input_ids", "int64", [B, T]);
  const attentionMask = g.input("attention_mask", "int64", [B, T]);
  const positionIds = g.input("position_ids", "int64", [B, T]);
  const labels = g.input("labels", "int64", [B, T - 1, 1]); // ids shifted left
  const labelMask = g.input("label_mask", g.floatType, [B, T - 1]); // 1 where the label is a real token
  const loraScale = g.input("lora_scale", g.floatType, [1]);
  const h = policy.hidden(g, { ids, attentionMask, positionIds, loraScale }); // [B,T,d]
  const hs = g.slice(h, [0], [T - 1], [1]); // [B,T-1,d]: position t predicts token t+1
  const logp = g.logSoftmax(policy.lmHead(g, hs), -1); // [B,T-1,V]
  const picked = g.reshape(g.gatherElements(logp, labels, 2), [B, T - 1]); // [B,T-1]
  const count = g.maximum(g.sum(labelMask, [0, 1]), 1);
  const loss = g.div(g.neg(g.sum(g.mul(picked, labelMask), [0, 1])), count); // scalar
  g.output("loss", loss);
  const params: Tensor[] = policy.paramTensors(g);
  const grads = gradients(loss, params);
  for (const [i, p] of policy.params().entries()) g.output(`grad.${p.name}`, grads[i]!);
  return g;
}

/** Feeds for lmLossGraph from a list of sequences (right padded to T). The first promptLengths[b] tokens of row
 *  b are context only: no loss on predicting them (conditional maximum likelihood of the rest). */
export function lmBatchFeeds(
  rows: number[][],
  T: number,
  padId: number,
  promptLengths?: readonly number[],
): Record<string, BigInt64Array | Float32Array> {
  const B = rows.length;
  const ids = new BigInt64Array(B * T).fill(BigInt(padId));
  const mask = new BigInt64Array(B * T);
  const pos = new BigInt64Array(B * T);
  const labels = new BigInt64Array(B * (T - 1)).fill(BigInt(padId));
  const labelMask = new Float32Array(B * (T - 1));
  rows.forEach((r, b) => {
    r.forEach((id, t) => {
      ids[b * T + t] = BigInt(id);
      mask[b * T + t] = 1n;
      pos[b * T + t] = BigInt(t);
      if (t > 0) {
        labels[b * (T - 1) + t - 1] = BigInt(id);
        labelMask[b * (T - 1) + t - 1] = t >= (promptLengths?.[b] ?? 0) ? 1 : 0;
      }
    });
  });
  return {
    input_ids: ids,
    attention_mask: mask,
    position_ids: pos,
    labels,
    label_mask: labelMask,
    lora_scale: new Float32Array([1]),
  };
}

/** One example of trainLm: token ids, of which the first `promptLength` are context only (no loss). */
export interface LmExample {
  ids: number[];
  promptLength?: number;
}

export interface TrainLmOptions {
  optimizer?: "sgd" | "adamw"; // default adamw
  lr: number;
  steps: number;
  batchSize: number;
  shuffle?: boolean; // default true
  seed?: number; // default 0
  onStep?: (step: number, loss: number) => void;
}

/** The sft training loop over an in-memory policy: `steps` optimiser steps on batches of `batchSize` examples,
 *  drawn in (shuffled) passes over the data, with the causal-LM loss of lmLossGraph. Examples longer than the
 *  model's positions must be cut by the caller. */
export async function trainLm(
  policy: Policy,
  data: readonly (number[] | LmExample)[],
  opts: TrainLmOptions,
): Promise<{ losses: number[] }> {
  const examples = data.map((d) => (Array.isArray(d) ? { ids: d } : d));
  if (examples.length === 0) throw new Error("trainLm: no examples to train on");
  const cfg = policy.config;
  const { lr, steps, batchSize } = opts;
  const optimizer: Optimizer = (opts.optimizer ?? "adamw") === "sgd" ? new SGD({ lr }) : new AdamW({ lr });
  const rng = new Rng(opts.seed ?? 0);
  const shuffle = opts.shuffle ?? true;
  let order: number[] = [];
  const nextIndex = () => {
    if (order.length === 0) {
      const idx = examples.map((_, i) => i);
      order = shuffle ? rng.permutation(idx.length) : idx;
    }
    return order.shift()!;
  };
  const params = policy.params();
  const losses: number[] = [];
  for (let step = 1; step <= steps; step++) {
    const batch = Array.from({ length: batchSize }, () => examples[nextIndex()]!);
    const rows = batch.map((e) => e.ids);
    const T = Math.max(2, Math.min(cfg.maxPositions, roundUp(Math.max(...rows.map((r) => r.length)), 16)));
    const r = await policy.runCached(`sft:b${batchSize}:t${T}`, () => lmLossGraph(policy, batchSize, T), {
      ...lmBatchFeeds(
        rows,
        T,
        policy.tokenizer.padId,
        batch.map((e) => e.promptLength ?? 0),
      ),
    });
    const loss = (r.loss!.data as Float32Array)[0]!;
    if (!Number.isFinite(loss)) throw new Error(`sft: the loss became ${loss} at step ${step}; lower --lr`);
    optimizer.step(
      params.map((p) => p.data),
      params.map((p) => r[`grad.${p.name}`]!.data as Float32Array),
    );
    losses.push(loss);
    opts.onStep?.(step, loss);
  }
  return { losses };
}

export async function sft(opts: SftOptions): Promise<SftResult> {
  const started = Date.now();
  const steps = opts.steps ?? 100;
  const batchSize = opts.batchSize ?? 8;
  const lr = opts.lr ?? 5e-5;
  if (!Number.isInteger(steps) || steps < 1)
    throw new Error(`steps must be a positive integer, got ${steps}`);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`batch size must be a positive integer, got ${batchSize}`);
  if (!(lr > 0)) throw new Error(`lr must be > 0, got ${lr}`);
  const trainable =
    typeof opts.trainable === "string"
      ? parseTrainable(opts.trainable)
      : (opts.trainable ?? { kind: "full" });
  const seed = opts.seed ?? 0;
  if (opts.peftOut && trainable.kind !== "lora") {
    throw new Error(
      `--peft-out needs --trainable lora (got ${trainable.kind}); --out writes the whole model`,
    );
  }
  // sft never runs the reference policy, so trained weights need no frozen copy
  const policy = await DecoderPolicy.load(opts.model, {
    // with an adapter, LoRA training continues the adapter's own factors (its r, alpha and targets)
    trainable: opts.adapter && trainable.kind === "lora" ? undefined : trainable,
    seed,
    threads: opts.threads,
    reference: false,
    adapter: opts.adapter,
    session: {
      device: opts.device,
      cacheDir: compileCacheDir(), // with CURIO_CACHE_DIR set
    },
  });
  try {
    const cfg = policy.config;
    const unknownWords: UnknownWords = { count: 0, examples: [] };
    const data = await readSftData(opts.data, policy.tokenizer, {
      addEos: opts.addEos,
      vocabSize: cfg.vocabSize,
      unknown: unknownWords,
    });
    if (unknownWords.count > 0) {
      opts.onWarning?.(
        `${unknownWords.count} token(s) of the training text are not in the tokenizer's vocabulary and train as its ` +
          `unknown token (e.g. ${unknownWords.examples.map((w) => JSON.stringify(w)).join(", ")}); ` +
          'use the model\'s own tokenizer, or give {"ids": [...]} examples',
      );
    }
    let truncated = 0;
    const examples = data.map((ids) => {
      if (ids.length <= cfg.maxPositions) return ids;
      truncated++;
      return ids.slice(0, cfg.maxPositions);
    });
    const { losses } = await trainLm(policy, examples, {
      optimizer: opts.optimizer,
      lr,
      steps,
      batchSize,
      shuffle: opts.shuffle,
      seed,
      onStep: opts.onStep,
    });
    if (opts.out) await policy.save(opts.out);
    if (opts.peftOut) await policy.savePeftAdapter(opts.peftOut);
    return {
      steps,
      losses,
      finalLoss: losses[losses.length - 1]!,
      examples: examples.length,
      truncated,
      unknownWords,
      trainableParams: policy.params().reduce((a, p) => a + p.data.length, 0),
      seconds: (Date.now() - started) / 1000,
      out: opts.out,
      peftOut: opts.peftOut,
    };
  } finally {
    await policy.release();
  }
}
