// Gpt2Policy: a GPT-2 with trainable parameters (full | LoRA | top-k blocks) and an optional value head,
// its graph building blocks (hidden, lmHead, valueHead), generation with a KV cache, and save/load.

import { existsSync } from "node:fs";
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Feed, Graph, type Session, SessionCache, type Tensor } from "../engine/index.js";
import { type Gpt2Config, gpt2ConfigJson, loadGpt2Config } from "./config.js";
import {
  type GenerateOptions,
  type Generation,
  generateBatch,
  type KV,
  positions,
  type StepModel,
} from "./generate.js";
import { attentionBias, gpt2Forward, gpt2LmHead, type LeafSource, valueHeadGraph } from "./gpt2-graph.js";
import { resolveModel } from "./hub.js";
import { readSafeTensors, writeSafeTensors } from "./safetensors.js";
import { loadTokenizer, type TextTokenizer } from "./tokenizer.js";
import { makeParams, type ParamEntry, type Trainable } from "./trainable.js";
import { type Gpt2Weights, gpt2WeightShapes, loadGpt2Weights } from "./weights.js";

export const MODEL_FILES = ["config.json", "model.safetensors", "tokenizer.json"];
export const OPTIONAL_MODEL_FILES = ["tokenizer_config.json"];
const CHECKPOINT_FORMAT = "curio-gpt2-checkpoint";
const CHECKPOINT_VERSION = "1";

export interface Gpt2LoadOptions {
  trainable?: Trainable;
  valueHead?: boolean;
  seed?: number;
  threads?: number;
  /** Hub cache folder and offline mode (see resolveModel). */
  cacheDir?: string;
  offline?: boolean;
}

export interface HiddenInputs {
  ids: Tensor; // [B,T] int64
  attentionMask: Tensor; // [B,T] int64
  positionIds: Tensor; // [B,T] int64
  /** Scalar float input: 1 = policy, 0 = LoRA disabled (reference policy). */
  loraScale?: Tensor;
  /** Build the frozen initial model (the PPO reference): for full/top-k, the loaded weights as initializers. */
  reference?: boolean;
}

export class Gpt2Policy {
  private readonly sessions: SessionCache;
  private readonly paramByName: Map<string, ParamEntry>;
  private readonly shapes: Map<string, number[]>;
  /** Leaves already created per graph, so a tensor used twice (wte) is one leaf. */
  private readonly leaves = new WeakMap<Graph, Map<string, Tensor>>();

  private constructor(
    readonly config: Gpt2Config,
    readonly tokenizer: TextTokenizer,
    readonly trainable: Trainable,
    readonly hasValueHead: boolean,
    private readonly weights: Gpt2Weights,
    private readonly trainableParams: ParamEntry[],
    private readonly loraLayers: Map<string, { A: string; B: string; scaling: number }>,
    private readonly sourceDir: string | undefined,
    threads: number | undefined,
  ) {
    this.sessions = new SessionCache({ threads, maxEntries: 8 });
    this.paramByName = new Map(trainableParams.map((p) => [p.name, p]));
    this.shapes = gpt2WeightShapes(config);
  }

  static async load(source: string, opts: Gpt2LoadOptions = {}): Promise<Gpt2Policy> {
    const dir = await resolveModel(source, {
      files: MODEL_FILES,
      optionalFiles: OPTIONAL_MODEL_FILES,
      cacheDir: opts.cacheDir,
      offline: opts.offline,
    });
    const config = await loadGpt2Config(join(dir, "config.json"));
    const tokenizer = await loadTokenizer(dir, {
      eosId: config.eosTokenId,
      modelVocabSize: config.vocabSize,
    });
    const weights = await loadGpt2Weights(join(dir, "model.safetensors"), config);
    return Gpt2Policy.fromWeights(config, weights, tokenizer, { ...opts, sourceDir: dir });
  }

  /** A policy over in-memory weights (canonical names, see gpt2WeightShapes), e.g. random ones for benchmarks. */
  static fromWeights(
    config: Gpt2Config,
    weights: Gpt2Weights,
    tokenizer: TextTokenizer,
    opts: Omit<Gpt2LoadOptions, "cacheDir" | "offline"> & { sourceDir?: string } = {},
  ): Gpt2Policy {
    const trainable = opts.trainable ?? { kind: "full" };
    const valueHead = opts.valueHead ?? false;
    const { params, lora } = makeParams(config, weights, trainable, { valueHead, seed: opts.seed ?? 0 });
    return new Gpt2Policy(
      config,
      tokenizer,
      trainable,
      valueHead,
      weights,
      params,
      lora,
      opts.sourceDir,
      opts.threads,
    );
  }

  /** Trainable tensors in a fixed order (LoRA A/B, unfrozen blocks, value head). Mutating `data` changes the model. */
  params(): ParamEntry[] {
    return this.trainableParams;
  }

  // ------------------------------------------------------------------ graph building blocks
  private source(reference: boolean): LeafSource {
    const memo = (g: Graph) => {
      let m = this.leaves.get(g);
      if (!m) {
        m = new Map();
        this.leaves.set(g, m);
      }
      return m;
    };
    const leaf = (g: Graph, name: string): Tensor => {
      const param = this.paramByName.get(name);
      const frozen = reference || !param;
      // The reference copy of a trainable weight gets its own name so both can live in one graph.
      const key = frozen && param ? `ref.${name}` : name;
      const m = memo(g);
      let t = m.get(key);
      if (!t) {
        if (!frozen) t = g.param(name, param!.shape);
        else if (param && !this.weights.has(name)) t = g.weight(key, param.data.slice(), param.shape);
        else t = g.weight(key, this.weights.get(name)!, this.shapes.get(name)!);
        m.set(key, t);
      }
      return t;
    };
    return {
      leaf,
      lora: (g, layer) => {
        const l = reference ? undefined : this.loraLayers.get(layer);
        return l && { A: leaf(g, l.A), B: leaf(g, l.B), scaling: l.scaling };
      },
    };
  }

  /** The last hidden state after ln_f, [B,T,d]. Frozen weights become initializers, trainable ones g.param(name). */
  hidden(g: Graph, inp: HiddenInputs): Tensor {
    const [B, T] = inp.ids.shape as [number, number];
    const bias = attentionBias(g, inp.attentionMask, T); // [B,1,T,T]
    const { hidden } = gpt2Forward(g, this.config, this.source(inp.reference ?? false), {
      ids: inp.ids,
      positionIds: inp.positionIds,
      bias,
      loraScale: inp.loraScale,
    });
    return g.reshape(hidden, [B, T, this.config.nEmbd]);
  }

  /** Tied LM head: [..., d] -> [..., V]. */
  lmHead(g: Graph, hidden: Tensor, opts: { reference?: boolean } = {}): Tensor {
    // reference: the frozen initial wte (the PPO reference policy when wte itself trains)
    return gpt2LmHead(g, this.source(opts.reference ?? false), hidden);
  }

  /** Value head d -> 2d -> 1 (ReLU): [..., d] -> [...]. */
  valueHead(g: Graph, hidden: Tensor): Tensor {
    if (!this.hasValueHead)
      throw new Error("this policy has no value head; load it with { valueHead: true }");
    return valueHeadGraph(g, this.source(false), hidden);
  }

  /** Feeds for every trainable param a session declares (it ignores ones its outputs do not use). */
  paramFeeds(): Record<string, Float32Array> {
    return Object.fromEntries(this.trainableParams.map((p) => [p.name, p.data]));
  }

  // ------------------------------------------------------------------ inference
  private useReference(loraScale: number): boolean {
    if (loraScale !== 0 && loraScale !== 1 && this.trainable.kind !== "lora") {
      throw new Error(`loraScale ${loraScale}: only 0 (reference) or 1 (policy) is valid without LoRA`);
    }
    return loraScale === 0 && this.trainable.kind !== "lora";
  }

  private stepInputs(g: Graph, B: number, T: number) {
    return {
      ids: g.input("input_ids", "int64", [B, T]),
      positionIds: g.input("position_ids", "int64", [B, T]),
      loraScale: g.input("lora_scale", g.floatType, [1]),
    };
  }

  /** The graph params of every trainable tensor, in params() order (created in g when not used yet). */
  paramTensors(g: Graph): Tensor[] {
    const src = this.source(false);
    return this.trainableParams.map((p) => src.leaf(g, p.name));
  }

  /**
   * Runs the session cached under `key` (built by `build` on first use), feeding the current trainable params
   * and `feeds`; inputs the graph does not use are left out.
   */
  async runCached(key: string, build: () => Graph, feeds: Record<string, Feed>) {
    const session: Session = await this.sessions.get(key, build);
    const all: Record<string, Feed> = { ...this.paramFeeds(), ...feeds };
    return session.run(Object.fromEntries(session.inputNames.map((n) => [n, all[n]!])));
  }

  private run(key: string, build: () => Graph, feeds: Record<string, Feed>, loraScale: number) {
    return this.runCached(key, build, { ...feeds, lora_scale: new Float32Array([loraScale]) });
  }

  private stepModel(): StepModel {
    const cfg = this.config;
    const H = cfg.nHead;
    const hd = cfg.nEmbd / H;
    const L = cfg.nLayer;
    const kvOut = (r: Record<string, { data: unknown }>): KV[] =>
      Array.from({ length: L }, (_, i) => ({
        k: r[`present.${i}.key`]!.data as Float32Array,
        v: r[`present.${i}.value`]!.data as Float32Array,
      }));
    return {
      vocabSize: cfg.vocabSize,
      nLayer: L,
      nHead: H,
      headDim: hd,
      nPositions: cfg.nPositions,
      prefill: async (B, T, ids, mask, pos, loraScale) => {
        const ref = this.useReference(loraScale);
        const build = () => {
          const g = new Graph();
          const inp = this.stepInputs(g, B, T);
          const mask = g.input("attention_mask", "int64", [B, T]);
          const { hidden, present } = gpt2Forward(g, cfg, this.source(ref), {
            ...inp,
            bias: attentionBias(g, mask, T),
          });
          const last = g.slice(g.reshape(hidden, [B, T, cfg.nEmbd]), [T - 1], [T], [1]); // [B,1,d]
          g.output("logits", g.reshape(gpt2LmHead(g, this.source(ref), last), [B, cfg.vocabSize]));
          present.forEach(({ k, v }, i) => {
            g.output(`present.${i}.key`, k);
            g.output(`present.${i}.value`, v);
          });
          return g;
        };
        const r = await this.run(
          `prefill:b${B}:t${T}${ref ? ":ref" : ""}`,
          build,
          { input_ids: ids, attention_mask: mask, position_ids: pos },
          loraScale,
        );
        return { logits: r.logits!.data as Float32Array, kv: kvOut(r) };
      },
      decode: async (B, S, ids, pos, pastMask, past, loraScale) => {
        const ref = this.useReference(loraScale);
        const build = () => {
          const g = new Graph();
          const inp = this.stepInputs(g, B, 1);
          const pm = g.input("past_mask", "int64", [B, S]);
          const pastKV = Array.from({ length: L }, (_, i) => ({
            k: g.input(`past.${i}.key`, "float32", [B, H, S, hd]),
            v: g.input(`past.${i}.value`, "float32", [B, H, S, hd]),
          }));
          const keyMask = g.concat(
            [g.cast(pm, g.floatType), g.constant(new Float32Array(B).fill(1), [B, 1])],
            1,
          ); // [B,S+1]
          const { hidden, present } = gpt2Forward(g, cfg, this.source(ref), {
            ...inp,
            bias: attentionBias(g, keyMask, 1),
            past: pastKV,
          });
          g.output("logits", gpt2LmHead(g, this.source(ref), hidden)); // [B,V]
          present.forEach(({ k, v }, i) => {
            g.output(`present.${i}.key`, k);
            g.output(`present.${i}.value`, v);
          });
          return g;
        };
        const feeds: Record<string, Float32Array | BigInt64Array> = {
          input_ids: ids,
          position_ids: pos,
          past_mask: pastMask,
        };
        past.forEach(({ k, v }, i) => {
          feeds[`past.${i}.key`] = k;
          feeds[`past.${i}.value`] = v;
        });
        const r = await this.run(`decode:b${B}:s${S}${ref ? ":ref" : ""}`, build, feeds, loraScale);
        return { logits: r.logits!.data as Float32Array, kv: kvOut(r) };
      },
      full: async (B, S, ids, mask, pos, at, loraScale) => {
        const ref = this.useReference(loraScale);
        const build = () => {
          const g = new Graph();
          const inp = this.stepInputs(g, B, S);
          const m = g.input("attention_mask", "int64", [B, S]);
          const at = g.input("at", "int64", [B, 1, cfg.nEmbd]);
          const { hidden } = gpt2Forward(g, cfg, this.source(ref), { ...inp, bias: attentionBias(g, m, S) });
          const row = g.gatherElements(g.reshape(hidden, [B, S, cfg.nEmbd]), at, 1); // [B,1,d]
          g.output("logits", g.reshape(gpt2LmHead(g, this.source(ref), row), [B, cfg.vocabSize]));
          return g;
        };
        const atFeed = new BigInt64Array(B * cfg.nEmbd).fill(BigInt(at));
        const r = await this.run(
          `full:b${B}:s${S}${ref ? ":ref" : ""}`,
          build,
          { input_ids: ids, attention_mask: mask, position_ids: pos, at: atFeed },
          loraScale,
        );
        return r.logits!.data as Float32Array;
      },
    };
  }

  /** Batched generation with left padding (see GenerateOptions). */
  generate(prompts: (string | number[])[], opts: GenerateOptions): Promise<Generation[]> {
    return generateBatch(this.stepModel(), this.tokenizer, prompts, opts);
  }

  /** Logits [B,T,V] of equal-length rows (no padding). */
  async logits(ids: number[][]): Promise<{ data: Float32Array; dims: number[] }> {
    const B = ids.length;
    if (B === 0) throw new Error("logits: ids is empty; pass at least one row of token ids");
    const T = ids[0]!.length;
    ids.forEach((row, b) => {
      if (row.length !== T) {
        throw new Error(
          `logits: rows must have equal length (row 0 has ${T} tokens, row ${b} has ${row.length}); ` +
            "pad them yourself or use generate(), which left-pads",
        );
      }
      const bad = row.find((id) => !Number.isInteger(id) || id < 0 || id >= this.config.vocabSize);
      if (bad !== undefined)
        throw new Error(`logits: row ${b} has token id ${bad} outside [0, ${this.config.vocabSize})`);
    });
    if (T === 0 || T > this.config.nPositions) {
      throw new Error(`logits: rows need 1 to ${this.config.nPositions} tokens, got ${T}`);
    }
    const cfg = this.config;
    const build = () => {
      const g = new Graph();
      const inp = this.stepInputs(g, B, T);
      const mask = g.input("attention_mask", "int64", [B, T]);
      const h = this.hidden(g, { ...inp, attentionMask: mask });
      g.output("logits", this.lmHead(g, h));
      return g;
    };
    const flat = new BigInt64Array(ids.flat().map(BigInt));
    const mask = new BigInt64Array(B * T).fill(1n);
    const r = await this.run(
      `logits:b${B}:t${T}`,
      build,
      { input_ids: flat, attention_mask: mask, position_ids: positions(mask, B, T) },
      1,
    );
    return { data: r.logits!.data as Float32Array, dims: [B, T, cfg.vocabSize] };
  }

  // ------------------------------------------------------------------ save / load
  /** The model's weights with trained params written in (LoRA merged: W + (alpha/r) A B). */
  mergedWeights(): Gpt2Weights {
    const out: Gpt2Weights = new Map();
    for (const [name, w] of this.weights) out.set(name, this.paramByName.get(name)?.data.slice() ?? w);
    for (const [layer, l] of this.loraLayers) {
      const W = out.get(`${layer}.weight`)!.slice(); // [in,out]
      const A = this.paramByName.get(l.A)!; // [in,r]
      const Bm = this.paramByName.get(l.B)!; // [r,out]
      const [inF, r] = A.shape as [number, number];
      const outF = Bm.shape[1]!;
      for (let i = 0; i < inF; i++) {
        for (let k = 0; k < r; k++) {
          const a = A.data[i * r + k]! * l.scaling;
          if (a === 0) continue;
          for (let j = 0; j < outF; j++) W[i * outF + j]! += a * Bm.data[k * outF + j]!;
        }
      }
      out.set(`${layer}.weight`, W);
    }
    return out;
  }

  /** Writes a Hugging Face folder: config.json, model.safetensors (F32, `transformer.` names), tokenizer files. */
  async save(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "config.json"), `${JSON.stringify(gpt2ConfigJson(this.config), null, 2)}\n`);
    const merged = this.mergedWeights();
    await writeSafeTensors(
      join(dir, "model.safetensors"),
      [...this.shapes].map(([name, shape]) => [`transformer.${name}`, { data: merged.get(name)!, shape }]),
      { format: "pt" },
    );
    for (const f of ["tokenizer.json", "tokenizer_config.json", "vocab.json", "merges.txt"]) {
      if (!this.sourceDir) break;
      const src = join(this.sourceDir, f);
      if (existsSync(src) && join(dir, f) !== src) await copyFile(src, join(dir, f));
    }
  }

  /** Trainable params (+ e.g. optimizer state in `extra`) as safetensors with a small metadata header. */
  async saveCheckpoint(path: string, extra: Record<string, Float32Array> = {}): Promise<void> {
    const tensors: [string, { data: Float32Array; shape: number[] }][] = this.trainableParams.map((p) => [
      `param.${p.name}`,
      { data: p.data, shape: p.shape },
    ]);
    for (const [k, v] of Object.entries(extra)) tensors.push([`extra.${k}`, { data: v, shape: [v.length] }]);
    await writeSafeTensors(path, tensors, {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      trainable: JSON.stringify(this.trainable),
      value_head: String(this.hasValueHead),
    });
  }

  /** Restores the trainable params from a checkpoint (checked by name and shape); returns its `extra` tensors. */
  async loadCheckpoint(path: string): Promise<Record<string, Float32Array>> {
    const { tensors, metadata } = await readSafeTensors(path);
    if (metadata.format !== CHECKPOINT_FORMAT) {
      throw new Error(
        `${path}: not a curio GPT-2 checkpoint (metadata format ${JSON.stringify(metadata.format)})`,
      );
    }
    const hint = `it was saved with trainable ${metadata.trainable}, value head ${metadata.value_head}; load the policy the same way`;
    for (const p of this.trainableParams) {
      const t = tensors.get(`param.${p.name}`);
      if (!t) throw new Error(`${path}: checkpoint has no tensor for param "${p.name}" (${hint})`);
      if (!(t.data instanceof Float32Array) || t.shape.join(",") !== p.shape.join(",")) {
        throw new Error(`${path}: param "${p.name}" has shape [${t.shape}], expected [${p.shape}] (${hint})`);
      }
    }
    for (const p of this.trainableParams) p.data.set(tensors.get(`param.${p.name}`)!.data as Float32Array);
    const extra: Record<string, Float32Array> = {};
    for (const [name, t] of tensors) {
      if (name.startsWith("extra.") && t.data instanceof Float32Array) extra[name.slice(6)] = t.data;
    }
    return extra;
  }

  async release(): Promise<void> {
    await this.sessions.clear();
  }
}
