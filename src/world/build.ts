// buildWorld: everything a sandbox campaign needs, from one seed and offline. It generates the corpus, the
// tokenizer, the SFT data in the red-team format, a random small GPT-2, and pretrains it (through the models'
// `sft`) so it writes fluent in-distribution questions and only rarely lands in a vulnerable cell by chance.
// The pretrained policy is cached under cacheDir, keyed by a hash of (world version, seed, model, sft settings).
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Gpt2Config } from "../models/index.js";
import { sft } from "../models/sft.js";
import { hashString, Rng } from "../util/rng.js";
import { cellKey, VULNERABLE_CELLS, type VulnerableCell, vulnerabilityTable } from "./cells.js";
import { type Cell, generateCorpus, type LabelledPrompt } from "./corpus.js";
import { seedInstruction, sftText, vocabularyTexts } from "./format.js";
import { createNaiveJudge, createStrictJudge, WorldGibberish } from "./judges.js";
import { DEFAULT_MODEL_SPEC, type WorldModelSpec, writeRandomGpt2 } from "./model.js";
import { parseCell } from "./parse.js";
import { STYLES } from "./styles.js";
import { WorldTarget, type WorldTargetOptions } from "./target.js";
import { writeTokenizerFiles } from "./tokenizer.js";
import { TOPICS } from "./topics.js";

/** Bump when the corpus, tokenizer, model init or SFT recipe changes: invalidates cached policies. */
export const WORLD_VERSION = "2";

export interface PretrainSettings {
  steps: number;
  batchSize: number;
  lr: number;
  /** SFT examples written (each: two seed examples + one new question). */
  examples: number;
  /** Sampling weight of sensitive topics in the SFT questions (harmless topics weigh 1). */
  sensitiveWeight: number;
}

export const DEFAULT_PRETRAIN: PretrainSettings = {
  steps: 200,
  batchSize: 32,
  lr: 3e-3,
  examples: 4000,
  sensitiveWeight: 1,
};

export interface BuildWorldOptions {
  seed: number;
  /** Folder for the cached world (one sub-folder per cache key). */
  cacheDir: string;
  model?: Partial<WorldModelSpec>;
  pretrain?: Partial<PretrainSettings>;
  /** Rebuild even when a cached world exists. */
  force?: boolean;
  threads?: number;
  log?: (line: string) => void;
}

export interface WorldPaths {
  /** This world's cache folder. */
  dir: string;
  /** The pretrained red-team policy (Hugging Face folder: config.json, model.safetensors, tokenizer files). */
  policy: string;
  /** The SFT data (JSONL, {"text"} per line). */
  sftData: string;
  /** Seed examples for the campaign's seed instructions, one question per line. */
  examples: string;
}

export interface WorldManifest {
  version: string;
  seed: number;
  key: string;
  model: WorldModelSpec;
  pretrain: PretrainSettings;
  vocabSize: number;
  finalLoss: number;
  pretrainSeconds: number;
}

export interface World {
  seed: number;
  paths: WorldPaths;
  manifest: WorldManifest;
  /** True when the policy came from the cache. */
  cached: boolean;
  topics: typeof TOPICS;
  styles: typeof STYLES;
  cells: readonly VulnerableCell[];
  /** The seed template's slots filled with harmless corpus questions (the campaign's seed prompts). */
  seedPrompts: string[];
  /** Harmless corpus questions used to fill seed instructions. */
  examples: string[];
  /** Ground truth for a prompt: its cell and, when vulnerable, the probability of an unsafe answer. */
  classify(prompt: string): { cell: Cell | null; vulnerable: boolean; pUnsafe: number };
  target(opts?: Partial<WorldTargetOptions>): WorldTarget;
  naiveJudge: typeof createNaiveJudge;
  strictJudge: typeof createStrictJudge;
  gibberish(): WorldGibberish;
}

function cacheKey(seed: number, model: WorldModelSpec, pretrain: PretrainSettings): string {
  const fingerprint = JSON.stringify({
    v: WORLD_VERSION,
    seed,
    model,
    pretrain,
    topics: TOPICS,
    styles: STYLES,
  });
  return hashString(fingerprint).toString(16).padStart(14, "0");
}

/** Harmless questions for the seed instructions (the paper fills them with everyday Databricks questions). */
function seedExamples(seed: number, count: number): string[] {
  return generateCorpus(seed + 1_000_003, count, { sensitiveWeight: 0, prefixProb: 0, suffixProb: 0.1 }).map(
    (p) => p.text,
  );
}

function seedPromptsFrom(examples: string[], seed: number, count: number): string[] {
  const rng = Rng.from(seed, "seed-prompts");
  return Array.from({ length: count }, () => {
    const a = rng.pick(examples);
    let b = rng.pick(examples);
    while (b === a) b = rng.pick(examples);
    return seedInstruction(a, b);
  });
}

/** The questions the policy is pretrained on, in order (the seed corpus of the `corpus` method). */
export function pretrainQuestions(seed: number, pretrain: PretrainSettings): LabelledPrompt[] {
  return generateCorpus(seed, pretrain.examples, { sensitiveWeight: pretrain.sensitiveWeight });
}

/** SFT lines: two harmless examples, then a question drawn from the whole corpus distribution. */
function sftLines(corpus: LabelledPrompt[], examples: string[], seed: number): string[] {
  const rng = Rng.from(seed, "sft-pairs");
  return corpus.map((p) => JSON.stringify({ text: sftText(rng.pick(examples), rng.pick(examples), p.text) }));
}

async function buildInto(
  tmp: string,
  seed: number,
  model: WorldModelSpec,
  pretrain: PretrainSettings,
  key: string,
  opts: BuildWorldOptions,
): Promise<WorldManifest> {
  const base = join(tmp, "base");
  const policy = join(tmp, "policy");
  const vocab = await writeTokenizerFiles(base, vocabularyTexts(), model.nPositions);
  const cfg: Gpt2Config = {
    vocabSize: vocab.length,
    nPositions: model.nPositions,
    nEmbd: model.nEmbd,
    nLayer: model.nLayer,
    nHead: model.nHead,
    layerNormEpsilon: 1e-5,
    bosTokenId: 0,
    eosTokenId: 0,
  };
  await writeRandomGpt2(base, cfg, seed);
  const examples = seedExamples(seed, 400);
  await writeFile(join(tmp, "examples.txt"), `${examples.join("\n")}\n`);
  const corpus = pretrainQuestions(seed, pretrain);
  const sftData = join(tmp, "sft.jsonl");
  await writeFile(sftData, `${sftLines(corpus, examples, seed).join("\n")}\n`);
  opts.log?.(
    `world: pretraining a ${model.nLayer}-layer d${model.nEmbd} GPT-2 (vocab ${vocab.length}) for ${pretrain.steps} steps`,
  );
  const result = await sft({
    model: base,
    data: sftData,
    optimizer: "adamw",
    lr: pretrain.lr,
    steps: pretrain.steps,
    batchSize: pretrain.batchSize,
    trainable: { kind: "full" },
    seed,
    out: policy,
    threads: opts.threads,
    onStep: (step, loss) => {
      if (step % 50 === 0 || step === pretrain.steps)
        opts.log?.(`world: sft step ${step} loss ${loss.toFixed(3)}`);
    },
  });
  await rm(base, { recursive: true, force: true });
  return {
    version: WORLD_VERSION,
    seed,
    key,
    model,
    pretrain,
    vocabSize: vocab.length,
    finalLoss: result.finalLoss,
    pretrainSeconds: result.seconds,
  };
}

/** Builds (or loads from the cache) the sandbox world for a seed. */
export async function buildWorld(opts: BuildWorldOptions): Promise<World> {
  const seed = opts.seed;
  if (!Number.isInteger(seed) || seed < 0)
    throw new Error(`buildWorld: seed must be a non-negative integer, got ${seed}`);
  const model = { ...DEFAULT_MODEL_SPEC, ...opts.model };
  if (model.nEmbd % model.nHead !== 0) {
    throw new Error(
      `buildWorld: model.nEmbd (${model.nEmbd}) must be divisible by model.nHead (${model.nHead})`,
    );
  }
  const pretrain = { ...DEFAULT_PRETRAIN, ...opts.pretrain };
  const key = cacheKey(seed, model, pretrain);
  const dir = join(opts.cacheDir, `world-${key}`);
  const manifestFile = join(dir, "world.json");
  let cached = existsSync(manifestFile) && !opts.force;
  if (!cached) {
    await mkdir(opts.cacheDir, { recursive: true });
    // Build in a private folder and rename it into place, so a crash or a concurrent build never leaves a
    // half-written world under the final name.
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    try {
      const manifest = await buildInto(tmp, seed, model, pretrain, key, opts);
      await writeFile(join(tmp, "world.json"), `${JSON.stringify(manifest, null, 2)}\n`);
      if (opts.force) await rm(dir, { recursive: true, force: true });
      try {
        await rename(tmp, dir);
      } catch (e) {
        if (!existsSync(manifestFile)) throw e; // another process finished first: use its world
        cached = true;
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
  const manifest = JSON.parse(await readFile(manifestFile, "utf8")) as WorldManifest;
  const examples = (await readFile(join(dir, "examples.txt"), "utf8")).split("\n").filter((l) => l.trim());
  const table = vulnerabilityTable(VULNERABLE_CELLS);
  return {
    seed,
    paths: {
      dir,
      policy: join(dir, "policy"),
      sftData: join(dir, "sft.jsonl"),
      examples: join(dir, "examples.txt"),
    },
    manifest,
    cached,
    topics: TOPICS,
    styles: STYLES,
    cells: VULNERABLE_CELLS,
    seedPrompts: seedPromptsFrom(examples, seed, 64),
    examples,
    classify(prompt) {
      const cell = parseCell(prompt);
      const p = cell ? table.get(cellKey(cell)) : undefined;
      return { cell, vulnerable: p !== undefined, pUnsafe: p ?? 0 };
    },
    target: (o = {}) => new WorldTarget({ seed, ...o }),
    naiveJudge: createNaiveJudge,
    strictJudge: createStrictJudge,
    gibberish: () => new WorldGibberish(),
  };
}
