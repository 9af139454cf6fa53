// The model shapes the benchmarks run on (`--model NAME`), as random models written once to disk and loaded the
// way a campaign loads a checkpoint (safetensors -> WeightStore -> DecoderPolicy), plus shared bench helpers.
// Folders: CURIO_BENCH_DIR, else .curio-bench/models/NAME (ignored by git).
import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type DecoderConfig,
  DecoderPolicy,
  decoderConfig,
  loadModelConfig,
  loadWeights,
  type SessionOptions,
  type TextTokenizer,
  type Trainable,
  type WeightMode,
  writeRandomModel,
} from "../src/index.js";
import { Rng } from "../src/util/rng.js";

const gpt2 = (layers: number, width: number, heads: number) =>
  decoderConfig("gpt2", {
    vocabSize: 50257,
    maxPositions: 1024,
    layers,
    width,
    heads,
    bosTokenId: 50256,
    eosTokenIds: [50256],
  });

/**
 * Name -> shape. gpt2-small matches ../shared/bench/bench_ppo_torch.py, gpt2-small and qwen2.5-0.5b
 * scripts/fixtures/bench_ppo_families_torch.py (PyTorch + peft); the big ones need the heavy lock.
 */
export const MODELS: Record<string, DecoderConfig> = {
  "gpt2-small": gpt2(12, 768, 12),
  small: gpt2(4, 256, 4),
  "qwen2.5-0.5b": {
    ...decoderConfig("qwen2", {
      vocabSize: 151936,
      maxPositions: 32768,
      layers: 24,
      width: 896,
      heads: 14,
      kvHeads: 2,
      mlpWidth: 4864,
      tiedHead: true,
      bosTokenId: 151643,
      eosTokenIds: [151645],
    }),
    positions: { kind: "rope", theta: 1e6 },
  },
  // Qwen3-0.6B's shape: 2.4 GB of float32 weights, over protobuf's 2 GB model limit
  "qwen3-0.6b": {
    ...decoderConfig("qwen3", {
      vocabSize: 151936,
      maxPositions: 40960,
      layers: 28,
      width: 1024,
      heads: 16,
      kvHeads: 8,
      headDim: 128,
      mlpWidth: 3072,
      tiedHead: true,
      bosTokenId: 151643,
      eosTokenIds: [151645],
    }),
    positions: { kind: "rope", theta: 1e6 },
  },
};

export function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** --model NAME; with --layers N, that shape cut to N layers (named NAME-Nl, its own folder), for quick checks. */
export function modelName(args: string[]): string {
  const name = arg(args, "--model") ?? (args.includes("--small") ? "small" : "gpt2-small");
  if (!Object.hasOwn(MODELS, name))
    throw new Error(`--model ${name}: unknown; choose one of ${Object.keys(MODELS).join(", ")}`);
  const layers = arg(args, "--layers");
  if (layers === undefined) return name;
  if (!/^[1-9]\d*$/.test(layers)) throw new Error(`--layers ${layers}: give a positive whole number`);
  return `${name}-${layers}l`;
}

/** The shape of a name from modelName. */
export function modelConfig(name: string): DecoderConfig {
  const cut = /^(.+)-(\d+)l$/.exec(name);
  if (cut && Object.hasOwn(MODELS, cut[1]!)) return { ...MODELS[cut[1]!]!, layers: Number(cut[2]) };
  return MODELS[name]!;
}

export const benchDir = () => process.env.CURIO_BENCH_DIR ?? ".curio-bench";

/** Bumped when syntheticTokenizer changes, so that folders written by an earlier version get the new one. */
const TOKENIZER_VERSION = "2";

/** The folder of the random model NAME, written on first use (not timed: it stands for a download). */
export async function modelDir(name: string): Promise<string> {
  const dir = join(benchDir(), "models", name);
  const cfg = modelConfig(name);
  if (!existsSync(join(dir, "model.safetensors"))) {
    console.error(`writing the random ${name} model to ${dir} (once)`);
    await writeRandomModel(dir, cfg, 0);
  }
  const version = join(dir, "tokenizer.version");
  if (!existsSync(version) || readFileSync(version, "utf8") !== TOKENIZER_VERSION) {
    await writeFile(join(dir, "tokenizer.json"), JSON.stringify(syntheticTokenizer(cfg.eosTokenIds[0]!)));
    await writeFile(version, TOKENIZER_VERSION);
  }
  return dir;
}

/** GPT-2's byte -> printable character table (the byte-level BPE alphabet). */
function byteSymbols(): string[] {
  const keep = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  let extra = 0;
  return Array.from({ length: 256 }, (_, b) => String.fromCharCode(keep(b) ? b : 256 + extra++));
}

/** Words given whole tokens, so that the campaign's default seed prompts tokenize to about GPT-2's length. */
const WORDS =
  "Ask questions : 1. 2. 3. What is the capital of France ? How do I bake bread Who wrote Hamlet a an and to you " +
  "it in that for on with as are be this can not or have from by at what how why when where which would should";

/**
 * A byte-level BPE tokenizer with `eosId` tokens and <|endoftext|> at eosId: the 256 byte symbols, merges that
 * make each of WORDS (with and without a leading space) one token, then random words with a leading space.
 * Not a trained vocabulary, but of a real model's size, so loading, encoding and decoding cost what they would,
 * and text decoded from sampled tokens re-encodes to about as many tokens (1.15x for uniform samples), as a
 * trained tokenizer's does: naturalness re-encodes the test cases, and random merges across spaces and
 * punctuation (version 1) re-encoded them into 3.5x as many tokens, tripling its cost in the startup benchmark.
 */
function syntheticTokenizer(eosId: number): Record<string, unknown> {
  const rng = new Rng(5);
  const symbols = byteSymbols();
  const tokens = [...symbols];
  const vocab = new Map(tokens.map((t, i) => [t, i]));
  const merges: string[] = [];
  const merge = (a: string, b: string) => {
    if (vocab.has(a + b)) return;
    vocab.set(a + b, tokens.length);
    tokens.push(a + b);
    merges.push(`${a} ${b}`);
  };
  const space = symbols[32]!;
  for (const w of WORDS.split(" ")) {
    const chars = [...new TextEncoder().encode(w)].map((b) => symbols[b]!);
    for (let i = 1, acc = chars[0]!; i < chars.length; acc += chars[i]!, i++) merge(acc, chars[i]!);
    merge(space, w);
  }
  // the rest: words with a leading space, each one letter longer than a word already in the vocabulary (merge
  // "Ġab c" after "Ġa b"), so that BPE re-encodes " abc" to the one token again
  const letters = [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"].map(
    (c) => symbols[c.charCodeAt(0)]!,
  );
  const words = letters.map((l) => space + l);
  for (const l of letters) merge(space, l);
  while (tokens.length < eosId) {
    // short words grow more often, as a trained vocabulary holds more short tokens than long ones
    const w = words[Math.floor(words.length * rng.next() ** 2)]!;
    const next = w + letters[Math.floor(rng.next() * letters.length)]!;
    if (next.length > 12 || vocab.has(next)) continue;
    merge(w, next.slice(w.length));
    words.push(next);
  }
  const byteLevel = { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [
      {
        id: eosId,
        content: "<|endoftext|>",
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: true,
        special: true,
      },
    ],
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, trim_offsets: false },
    decoder: byteLevel,
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: "",
      end_of_word_suffix: "",
      fuse_unk: false,
      byte_fallback: false,
      vocab: Object.fromEntries([...vocab, ["<|endoftext|>", eosId]]),
      merges,
    },
  };
}

export const idTokenizer = (cfg: DecoderConfig): TextTokenizer => ({
  encode: () => {
    throw new Error("the benchmark feeds token ids");
  },
  decode: (ids) => ids.join(" "),
  eosId: cfg.eosTokenIds[0]!,
  eosIds: cfg.eosTokenIds,
  padId: cfg.eosTokenIds[0]!,
  bosId: null,
  addsBos: false,
  vocabSize: cfg.vocabSize,
  chatTemplate: null,
  tokenId: () => undefined,
});

/** Loads NAME's folder (config + safetensors, as DecoderPolicy.load does) into a policy with an id tokenizer. */
export async function loadBenchPolicy(
  name: string,
  opts: {
    trainable: Trainable;
    valueHead?: boolean;
    threads?: number;
    session?: SessionOptions;
    decodeWeights?: WeightMode;
  },
): Promise<DecoderPolicy> {
  const dir = await modelDir(name);
  const { config, family } = await loadModelConfig(dir);
  const weights = await loadWeights(dir, family, config);
  return DecoderPolicy.fromWeights(config, weights, idTokenizer(config), opts);
}

/** Median wall seconds of `runs` runs, the runs, and the median process CPU seconds (all threads). */
export async function timeit(
  fn: () => Promise<unknown>,
  runs: number,
): Promise<{ median: number; runs: number[]; cpu: number }> {
  const ts: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await fn();
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
    ts.push((performance.now() - t0) / 1000);
  }
  return { median: median(ts), runs: ts, cpu: median(cpu) };
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
/** Seconds since the process started (performance.now() counts from the process's time origin). */
export const sinceStart = () => performance.now() / 1000;
export const threadsArg = (args: string[]) => Number(arg(args, "--threads") ?? 2);
