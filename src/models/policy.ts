// DecoderPolicy: a causal LM of any supported family with trainable parameters (full | LoRA | top-k blocks) and
// an optional value head; its graph building blocks (hidden, lmHead, valueHead), generation with a KV cache,
// logits, and save/load. rl/, sft, the campaign and the local target use it through the Policy interface.
import {
  type Feed,
  Graph,
  type OutputTensor,
  SessionCache,
  type SessionOptions,
  type Tensor,
  type WeightMode,
} from "../engine/index.js";
import { attentionBias } from "./blocks.js";
import { resolveCheckpoint, storeFromMap } from "./checkpoint-folder.js";
import { familyOfConfig, loadModelConfig } from "./config.js";
import { type Gpt2Config, gpt2DecoderConfig } from "./families/gpt2.js";
import type { DecoderConfig, ForwardResult, LeafSource, ModelFamily } from "./family.js";
import { type GenerateOptions, type Generation, generateBatch, positions } from "./generate.js";
import {
  adapterTrainable,
  mergeAdapter,
  type PeftAdapter,
  readPeftAdapter,
  savePeftAdapter,
  setLoraFactors,
} from "./peft.js";
import { loadCheckpoint, mergedWeights, saveCheckpoint, saveModel } from "./policy-save.js";
import { stepModel } from "./policy-steps.js";
import type { HiddenInputs, Policy, PolicyLoadOptions } from "./policy-types.js";
import { loadTokenizer, type TextTokenizer } from "./tokenizer.js";
import { type LoraLayer, makeParams, type ParamEntry, type Trainable } from "./trainable.js";
import { loadWeights, WeightStore } from "./weights.js";

/** Frozen weights up to this size get prepacked copies in the decoding sessions by default (decodeWeights "auto"). */
export const PREPACKED_DECODE_MAX_BYTES = 2 ** 30;

/** The decoding graphs' weight mode for a decodeWeights setting and the frozen weights' size in bytes. */
export function decodeWeightMode(setting: WeightMode | "auto", frozenBytes: number): WeightMode {
  if (setting !== "auto") return setting;
  return frozenBytes <= PREPACKED_DECODE_MAX_BYTES ? "initializers" : "inputs";
}

export class DecoderPolicy implements Policy {
  readonly family: ModelFamily;
  readonly sessionOptions: SessionOptions;
  private readonly sessions: SessionCache;
  /** The decoding graphs' sessions (decodeWeights "initializers": each holds prepacked weights, so few at a time). */
  private readonly decodeSessions: SessionCache;
  /** The cache slots of the decoding session of each batch size: they only grow, so one session serves them all. */
  private readonly decodeSlotCount = new Map<string, number>();
  readonly decodeWeights: WeightMode;
  private readonly paramByName: Map<string, ParamEntry>;
  /** Leaves already created per graph, so a tensor used twice (a tied embedding) is one leaf. */
  private readonly leaves = new WeakMap<Graph, Map<string, Tensor>>();

  private constructor(
    readonly config: DecoderConfig,
    readonly tokenizer: TextTokenizer,
    readonly trainable: Trainable,
    readonly hasValueHead: boolean,
    /** The loaded weights: frozen ones, and the reference values of trained ones. */
    readonly weights: WeightStore,
    private readonly trainableParams: ParamEntry[],
    readonly loraLayers: Map<string, LoraLayer>,
    readonly sourceDir: string | undefined,
    /** Whether unfrozen weights were copied, so that `weights` still holds their loaded values. */
    private readonly keepsReference: boolean,
    sessionOptions: SessionOptions,
    decodeWeights: WeightMode,
  ) {
    this.family = familyOfConfig(config);
    this.sessionOptions = sessionOptions;
    this.sessions = new SessionCache({ ...sessionOptions, maxEntries: 8 });
    this.decodeWeights = decodeWeights;
    this.decodeSessions = new SessionCache({ ...sessionOptions, weights: decodeWeights, maxEntries: 2 });
    this.paramByName = new Map(trainableParams.map((p) => [p.name, p]));
  }

  static async load(source: string, opts: PolicyLoadOptions = {}): Promise<DecoderPolicy> {
    const dir = await resolveCheckpoint(source, opts);
    const { config, family } = await loadModelConfig(dir);
    const tokenizer = await loadTokenizer(dir, {
      eosId: config.eosTokenIds,
      bosId: config.bosTokenId,
      padId: config.padTokenId,
      modelVocabSize: config.vocabSize,
    });
    const weights = await loadWeights(dir, family, config);
    let trainable = opts.trainable;
    let adapter: PeftAdapter | undefined;
    if (opts.adapter) {
      // a LoRA policy starts from the adapter's factors; any other is the base model with the adapter merged in
      adapter = await readPeftAdapter(opts.adapter, family, config);
      trainable ??= adapterTrainable(adapter);
      if (trainable.kind !== "lora") {
        mergeAdapter(weights, family, config, adapter);
        adapter = undefined;
      }
    }
    const policy = DecoderPolicy.fromWeights(config, weights, tokenizer, {
      ...opts,
      trainable,
      sourceDir: dir,
    });
    if (adapter) setLoraFactors(policy, adapter, opts.adapter!);
    return policy;
  }

  /** A policy over in-memory weights (canonical names, see the family's weightShapes), e.g. random ones. */
  static fromWeights(
    config: DecoderConfig | Gpt2Config,
    weights: WeightStore | Map<string, Float32Array>,
    tokenizer: TextTokenizer,
    opts: Omit<PolicyLoadOptions, "cacheDir" | "offline" | "adapter"> & { sourceDir?: string } = {},
  ): DecoderPolicy {
    const cfg = "nEmbd" in config ? gpt2DecoderConfig(config) : config;
    const family = familyOfConfig(cfg);
    const store = weights instanceof WeightStore ? weights : storeFromMap(family, cfg, weights);
    const trainable = opts.trainable ?? { kind: "full" };
    const valueHead = opts.valueHead ?? false;
    const { params, lora } = makeParams(family, cfg, store, trainable, {
      valueHead,
      seed: opts.seed ?? 0,
      copy: opts.reference ?? true,
    });
    return new DecoderPolicy(
      cfg,
      tokenizer,
      trainable,
      valueHead,
      store,
      params,
      lora,
      opts.sourceDir,
      opts.reference ?? true,
      { ...opts.session, threads: opts.threads },
      decodeWeightMode(opts.decodeWeights ?? "auto", store.bytes),
    );
  }

  params(): ParamEntry[] {
    return this.trainableParams;
  }

  param(name: string): ParamEntry | undefined {
    return this.paramByName.get(name);
  }

  // ------------------------------------------------------------------ graph building blocks
  private source(reference: boolean): LeafSource {
    const leaf = (g: Graph, name: string): Tensor => {
      const param = this.paramByName.get(name);
      const frozen = reference || !param;
      // The reference copy of a trainable weight gets its own name so both can live in one graph.
      const key = frozen && param ? `ref.${name}` : name;
      let m = this.leaves.get(g);
      if (!m) {
        m = new Map();
        this.leaves.set(g, m);
      }
      let t = m.get(key);
      if (!t) {
        if (!frozen) t = g.param(name, param!.shape);
        else if (param && !this.keepsReference) {
          throw new Error(
            `${name}: this policy keeps no frozen copy of its trained weights (loaded with reference: false)`,
          );
        } else {
          const w = this.weights.get(name); // the one array of this tensor, shared by every graph
          t = g.weight(key, w.data, w.shape);
        }
        m.set(key, t);
      }
      return t;
    };
    return {
      leaf,
      lora: (g, module) => {
        const l = reference ? undefined : this.loraLayers.get(module);
        return l && { A: leaf(g, l.A), B: leaf(g, l.B), scaling: l.scaling };
      },
    };
  }

  /** The transformer over [B,T] ids against an additive bias; `reference` builds the frozen initial model. */
  forward(
    g: Graph,
    inp: Omit<HiddenInputs, "attentionMask"> & { bias: Tensor; past?: { k: Tensor; v: Tensor }[] },
  ): ForwardResult {
    return this.family.forward(g, this.config, this.source(inp.reference ?? false), inp);
  }

  hidden(g: Graph, inp: HiddenInputs): Tensor {
    const [B, T] = inp.ids.shape as [number, number];
    const bias = attentionBias(g, inp.attentionMask, T); // [B,1,T,T]
    const { hidden } = this.forward(g, { ...inp, bias });
    return g.reshape(hidden, [B, T, this.config.width]);
  }

  lmHead(g: Graph, hidden: Tensor, opts: { reference?: boolean } = {}): Tensor {
    // reference: the frozen initial head (the PPO reference policy when the head itself trains)
    const lead = hidden.shape.slice(0, -1);
    const d = this.config.width;
    const w = this.source(opts.reference ?? false).leaf(g, this.family.headWeight(this.config)); // [V,d]
    const flat = lead.length === 1 ? hidden : g.reshape(hidden, [-1, d]); // [N,d]
    const logits = g.matmul(flat, w, { transB: true }); // [N,V]
    return lead.length === 1 ? logits : g.reshape(logits, [...lead, this.config.vocabSize]);
  }

  valueHead(g: Graph, hidden: Tensor): Tensor {
    if (!this.hasValueHead)
      throw new Error("this policy has no value head; load it with { valueHead: true }");
    const src = this.source(false);
    const lead = hidden.shape.slice(0, -1);
    const d = hidden.shape[hidden.shape.length - 1]!;
    const flat = lead.length === 1 ? hidden : g.reshape(hidden, [-1, d]); // [N,d]
    const h = g.relu(g.linear(flat, src.leaf(g, "v_head.c_fc.weight"), src.leaf(g, "v_head.c_fc.bias"))); // [N,2d]
    const v = g.linear(h, src.leaf(g, "v_head.c_proj.weight"), src.leaf(g, "v_head.c_proj.bias")); // [N,1]
    return g.reshape(v, lead.length === 0 ? [] : lead);
  }

  /** Feeds for every trainable param a session declares (it ignores ones its outputs do not use). */
  paramFeeds(): Record<string, Float32Array> {
    return Object.fromEntries(this.trainableParams.map((p) => [p.name, p.data]));
  }

  paramTensors(g: Graph): Tensor[] {
    const src = this.source(false);
    return this.trainableParams.map((p) => src.leaf(g, p.name));
  }

  /** Runs the session cached under `key` (built by `build` on first use) with the params and `feeds`. */
  async runCached(
    key: string,
    build: () => Graph,
    feeds: Record<string, Feed>,
    opts: { decode?: boolean } = {},
  ): Promise<Record<string, OutputTensor>> {
    const session = await (opts.decode ? this.decodeSessions : this.sessions).get(key, build);
    const all: Record<string, Feed> = { ...this.paramFeeds(), ...feeds };
    return session.run(Object.fromEntries(session.inputNames.map((n) => [n, all[n]!])));
  }

  /**
   * The cache slots a generation of `slots` slots decodes with: with prepacked decoding sessions, the most any
   * generation of this batch size asked for so far (masked slots cost little in a decoding step, a session with
   * its own copy of the weights per slot count would cost a lot); `key` is that session's cache key.
   */
  decodeSlots(B: number, slots: number, reference: boolean): { S: number; key: string } {
    const name = `decode:b${B}${reference ? ":ref" : ""}`;
    if (this.decodeWeights === "inputs") return { S: slots, key: `${name}:s${slots}` };
    const had = this.decodeSlotCount.get(name);
    const S = Math.max(slots, had ?? 0);
    if (had !== undefined && S > had) void this.decodeSessions.delete(`${name}:s${had}`);
    this.decodeSlotCount.set(name, S);
    return { S, key: `${name}:s${S}` };
  }

  // ------------------------------------------------------------------ inference
  /** Batched generation with left padding; stops a row on any of the config's EOS ids. */
  generate(prompts: (string | number[])[], opts: GenerateOptions): Promise<Generation[]> {
    return generateBatch(stepModel(this), this.tokenizer, prompts, opts);
  }

  /** Logits [B,T,V] of equal-length rows (no padding). */
  async logits(ids: number[][]): Promise<{ data: Float32Array; dims: number[] }> {
    const { vocabSize: V, maxPositions } = this.config;
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
      const bad = row.find((id) => !Number.isInteger(id) || id < 0 || id >= V);
      if (bad !== undefined) throw new Error(`logits: row ${b} has token id ${bad} outside [0, ${V})`);
    });
    if (T === 0 || T > maxPositions)
      throw new Error(`logits: rows need 1 to ${maxPositions} tokens, got ${T}`);
    const build = () => {
      const g = new Graph();
      const h = this.hidden(g, {
        ids: g.input("input_ids", "int64", [B, T]),
        attentionMask: g.input("attention_mask", "int64", [B, T]),
        positionIds: g.input("position_ids", "int64", [B, T]),
      });
      g.output("logits", this.lmHead(g, h));
      return g;
    };
    const mask = new BigInt64Array(B * T).fill(1n);
    const r = await this.runCached(`logits:b${B}:t${T}`, build, {
      input_ids: new BigInt64Array(ids.flat().map(BigInt)),
      attention_mask: mask,
      position_ids: positions(mask, B, T),
    });
    return { data: r.logits!.data as Float32Array, dims: [B, T, V] };
  }

  // ------------------------------------------------------------------ save / load
  /** The model's weights with trained params written in (LoRA merged: W + (alpha/r) A B). */
  mergedWeights(): WeightStore {
    return mergedWeights(this);
  }

  /** Writes a Hugging Face folder in the family's layout (config.json, model.safetensors F32, tokenizer files). */
  save(dir: string): Promise<void> {
    return saveModel(this, dir);
  }

  /** Writes the LoRA adapters as a PEFT adapter folder (adapter_config.json + adapter_model.safetensors). */
  savePeftAdapter(dir: string): Promise<void> {
    return savePeftAdapter(this, dir);
  }

  /** Trainable params (+ e.g. optimizer state in `extra`) as safetensors with a small metadata header. */
  saveCheckpoint(path: string, extra: Record<string, Float32Array> = {}): Promise<void> {
    return saveCheckpoint(this, path, extra);
  }

  /** Restores the trainable params from a checkpoint (checked by name and shape); returns its `extra` tensors. */
  loadCheckpoint(path: string): Promise<Record<string, Float32Array>> {
    return loadCheckpoint(this, path);
  }

  async release(): Promise<void> {
    this.decodeSlotCount.clear();
    await Promise.all([this.sessions.clear(), this.decodeSessions.clear()]);
  }
}

/** @deprecated the policy is family-agnostic now: use DecoderPolicy (and the Policy interface). */
export const Gpt2Policy = DecoderPolicy;
/** @deprecated use DecoderPolicy */
export type Gpt2Policy = DecoderPolicy;
