// Batched generation with left padding. With the KV cache, keys/values live in static JavaScript buffers
// [B,KV,S,hd] per layer that are fed to the one-step decode graph as inputs (zero-copy); the graph returns only the
// new step's keys/values [B,KV,1,hd], which are written into slot t here. Without the cache, every step runs the
// full forward over the [B,S] token buffer (used to test that both give the same tokens).
import { Rng } from "../util/rng.js";
import { TokenSampler } from "./sampling.js";
import type { TextTokenizer } from "./tokenizer.js";

export interface GenerateOptions {
  maxNewTokens: number;
  temperature?: number;
  topK?: number; // 0 = off
  topP?: number; // 1 = off
  stop?: string[];
  seed?: number;
  greedy?: boolean;
  useCache?: boolean; // default true
  loraScale?: number; // 0 = reference policy
  /** Sees the raw next-token logits [B,V] of every step before a token is picked (e.g. a judge's verdict). */
  onLogits?: (step: number, logits: Float32Array) => void;
}

export interface Generation {
  text: string;
  promptIds: number[];
  ids: number[];
  /** log-probs of `ids` under the model's full softmax at temperature 1, whatever the sampling settings (what a
   *  forward over prompt + ids gives) */
  logprobs: number[];
  /** the value head's estimate before each of `ids` (a policy with a value head) */
  values?: number[];
  finishReason: "eos" | "stop" | "length";
}

export interface KV {
  k: Float32Array;
  v: Float32Array;
}

/** The next-token logits [B,V] of a graph run, their softmax at the sampling temperature, the logits'
 *  log-sum-exp [B] and, for a policy with a value head, each row's value [B]. */
export interface StepLogits {
  logits: Float32Array;
  probs: Float32Array;
  logZ: Float32Array;
  values?: Float32Array;
}

/** Per generation: the LoRA scale (0 = reference policy) and the temperature the probabilities are taken at. */
export interface StepOptions {
  loraScale: number;
  temperature: number;
}

/** What the loop needs from a model: three graph runs. All int tensors are int64, row-major. */
export interface StepModel {
  readonly vocabSize: number;
  readonly nLayer: number;
  /** Key/value heads KV: the cache holds [B,KV,S,hd] per layer. */
  readonly kvHeads: number;
  readonly headDim: number;
  readonly nPositions: number;
  /** A row stops when it samples any of these. */
  readonly eosIds: readonly number[];
  /** The token an empty prompt starts from (BOS; GPT-2's end-of-text). */
  readonly startId: number;
  /** Prompt forward over [B,T]: last-position logits [B,V] and each layer's keys/values [B,KV,T,hd]. */
  prefill(
    B: number,
    T: number,
    ids: BigInt64Array,
    mask: BigInt64Array,
    pos: BigInt64Array,
    opts: StepOptions,
  ): Promise<StepLogits & { kv: KV[] }>;
  /** The cache slots to decode `slots` slots with (at least that many; extra slots stay masked). */
  decodeSlots(B: number, slots: number, opts: StepOptions): number;
  /** One token per row against S cached slots: logits [B,V] and the new keys/values [B,KV,1,hd]. */
  decode(
    B: number,
    S: number,
    ids: BigInt64Array,
    pos: BigInt64Array,
    pastMask: BigInt64Array,
    past: KV[],
    opts: StepOptions,
  ): Promise<StepLogits & { kv: KV[] }>;
  /** Full forward over [B,S]; logits [B,V] at slot `at` of every row. */
  full(
    B: number,
    S: number,
    ids: BigInt64Array,
    mask: BigInt64Array,
    pos: BigInt64Array,
    at: number,
    opts: StepOptions,
  ): Promise<StepLogits>;
}

export const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;

export async function generateBatch(
  model: StepModel,
  tokenizer: TextTokenizer,
  prompts: (string | number[])[],
  opts: GenerateOptions,
): Promise<Generation[]> {
  const maxNew = opts.maxNewTokens;
  if (!Number.isInteger(maxNew) || maxNew < 1)
    throw new Error(`maxNewTokens must be a positive integer, got ${maxNew}`);
  if (prompts.length === 0) return [];
  const V = model.vocabSize;
  const promptIds = prompts.map((p) => (typeof p === "string" ? tokenizer.encode(p) : p.slice()));
  promptIds.forEach((p, b) => {
    const bad = p.find((id) => !Number.isInteger(id) || id < 0 || id >= V);
    if (bad !== undefined)
      throw new Error(`prompt ${b}: token id ${bad} is outside the vocabulary [0, ${V})`);
  });
  // An empty prompt starts from the start token (BOS; GPT-2's end-of-text), as the model was trained to.
  const fed = promptIds.map((p) => (p.length > 0 ? p : [model.startId]));
  const eos = new Set(model.eosIds);
  const B = fed.length;
  const maxPrompt = Math.max(...fed.map((p) => p.length));
  if (maxPrompt + maxNew > model.nPositions) {
    throw new Error(
      `prompt of ${maxPrompt} tokens + maxNewTokens ${maxNew} exceeds the model's ${model.nPositions} positions; ` +
        "shorten the prompt or lower maxNewTokens",
    );
  }
  const temperature = opts.greedy ? 1 : (opts.temperature ?? 1);
  if (!(temperature > 0))
    throw new Error(`temperature must be > 0, got ${temperature} (use greedy: true for argmax)`);
  const stepOpts: StepOptions = { loraScale: opts.loraScale ?? 1, temperature };
  const useCache = opts.useCache ?? true;
  const Tp = roundUp(maxPrompt, 16); // prompt slots (left padded)
  const slots = roundUp(Tp + maxNew, 16);
  const S = useCache ? model.decodeSlots(B, slots, stepOpts) : slots; // all slots
  const ids = new BigInt64Array(B * S).fill(BigInt(tokenizer.padId));
  const mask = new BigInt64Array(B * S);
  fed.forEach((p, b) => {
    p.forEach((id, j) => {
      ids[b * S + Tp - p.length + j] = BigInt(id);
      mask[b * S + Tp - p.length + j] = 1n;
    });
  });
  const rng = new Rng(opts.seed ?? 0);
  const sampler = new TokenSampler(V);
  const out: Generation[] = promptIds.map((p) => ({
    text: "",
    promptIds: p,
    ids: [],
    logprobs: [],
    finishReason: "length",
  }));
  const done = new Array<boolean>(B).fill(false);
  const stops = (opts.stop ?? []).filter((s) => s.length > 0);

  const H = model.kvHeads;
  const hd = model.headDim;
  let cache: KV[] = [];
  let next: StepLogits;
  if (useCache) {
    const sub = (src: BigInt64Array) => {
      const x = new BigInt64Array(B * Tp);
      for (let b = 0; b < B; b++) x.set(src.subarray(b * S, b * S + Tp), b * Tp);
      return x;
    };
    const pm = sub(mask);
    const r = await model.prefill(B, Tp, sub(ids), pm, positions(pm, B, Tp), stepOpts);
    next = r;
    // static KV buffers [B,KV,S,hd]; the prompt fills slots [0, Tp)
    cache = r.kv.map(({ k, v }) => {
      const K = new Float32Array(B * H * S * hd);
      const Vb = new Float32Array(B * H * S * hd);
      for (let bh = 0; bh < B * H; bh++) {
        K.set(k.subarray(bh * Tp * hd, (bh + 1) * Tp * hd), bh * S * hd);
        Vb.set(v.subarray(bh * Tp * hd, (bh + 1) * Tp * hd), bh * S * hd);
      }
      return { k: K, v: Vb };
    });
  } else {
    next = await model.full(B, S, ids, mask, positions(mask, B, S), Tp - 1, stepOpts);
  }

  for (let step = 0; ; step++) {
    const slot = Tp + step; // where this step's token goes
    const { logits, probs, logZ, values } = next;
    opts.onLogits?.(step, logits);
    const picked = new BigInt64Array(B).fill(BigInt(tokenizer.padId));
    for (let b = 0; b < B; b++) {
      if (done[b]) continue;
      const row = logits.subarray(b * V, (b + 1) * V);
      const { token: tok, logprob } = sampler.sample(row, opts, rng, {
        probs: probs.subarray(b * V, (b + 1) * V),
        logZ: logZ[b]!,
      });
      const g = out[b]!;
      g.ids.push(tok);
      g.logprobs.push(logprob);
      if (values) {
        g.values ??= [];
        g.values.push(values[b]!);
      }
      picked[b] = BigInt(tok);
      if (eos.has(tok)) {
        g.finishReason = "eos";
        done[b] = true;
      } else if (stops.length > 0) {
        const text = tokenizer.decode(g.ids);
        const at = Math.min(...stops.map((s) => text.indexOf(s)).filter((i) => i >= 0));
        if (Number.isFinite(at)) {
          g.finishReason = "stop";
          g.text = text.slice(0, at);
          done[b] = true;
        }
      }
    }
    if (step + 1 >= maxNew || done.every(Boolean)) break;
    for (let b = 0; b < B; b++) {
      ids[b * S + slot] = picked[b]!;
      mask[b * S + slot] = 1n;
    }
    if (useCache) {
      const pos = new BigInt64Array(B);
      const pastMask = new BigInt64Array(B * S);
      for (let b = 0; b < B; b++) {
        pos[b] = BigInt(fed[b]!.length + step);
        for (let s = 0; s < slot; s++) pastMask[b * S + s] = mask[b * S + s]!;
      }
      const r = await model.decode(B, S, picked, pos, pastMask, cache, stepOpts);
      next = r;
      r.kv.forEach(({ k, v }, layer) => {
        const c = cache[layer]!;
        for (let bh = 0; bh < B * H; bh++) {
          c.k.set(k.subarray(bh * hd, (bh + 1) * hd), (bh * S + slot) * hd);
          c.v.set(v.subarray(bh * hd, (bh + 1) * hd), (bh * S + slot) * hd);
        }
      });
    } else {
      next = await model.full(B, S, ids, mask, positions(mask, B, S), slot, stepOpts);
    }
  }
  for (const g of out) {
    if (g.finishReason === "stop") continue;
    g.text = tokenizer.decode(g.finishReason === "eos" ? g.ids.slice(0, -1) : g.ids);
  }
  return out;
}

/** position ids = cumsum(mask) - 1, clamped at 0 (Hugging Face's rule for left padding). */
export function positions(mask: BigInt64Array, B: number, T: number): BigInt64Array {
  const pos = new BigInt64Array(B * T);
  for (let b = 0; b < B; b++) {
    let c = -1n;
    for (let t = 0; t < T; t++) {
      c += mask[b * T + t]!;
      pos[b * T + t] = c < 0n ? 0n : c;
    }
  }
  return pos;
}
