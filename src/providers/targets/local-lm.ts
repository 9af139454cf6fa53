// curio's own in-process causal LM as a target (the models package's inference-only policy: GPT-2, Llama, Mistral,
// Qwen2, Qwen3 checkpoints in safetensors), batched with left padding, on the campaign's device and
// compiled-model cache. `local:` is its id; `gpt2:` is an older alias.
// It is the target curio can train: safetyTune() fine-tunes it with LoRA (Active Attacks), after which it
// answers with the tuned model; state() carries the call counter (answers are seeded per call) and the tuned
// factors, so a resumed run answers exactly as the uninterrupted one.
import { z } from "zod";
import type { SessionOptions } from "../../engine/index.js";
import type { Policy } from "../../models/index.js";
import { instructionPrompt } from "../../models/prompt.js";
import type { TextTokenizer } from "../../models/tokenizer.js";
import type { StateValue } from "../../util/checkpoint.js";
import { applyTemplate } from "../templates.js";
import type { SafetyPair, SafetyTuneOptions, TargetResult, TrainableTarget } from "../types.js";
import { localGenerationShape } from "./transformers.js";

export const localLMTargetOptions = z.strictObject({
  ...localGenerationShape,
  stop: z.array(z.string()).optional().describe("Stop sequences (excluded from the answer)."),
  chatTemplate: z
    .enum(["auto", "none"])
    .default("auto")
    .describe(
      "auto: with template raw or chat, a model that ships a chat template reads the test case as its user " +
        "message (after systemPrompt, if set) with the assistant header added; none: plain text.",
    ),
  seed: z.number().int().default(0).describe("Sampling seed."),
  batchSize: z.number().int().min(1).default(16).describe("Prompts per generate call."),
  threads: z.number().int().min(1).optional().describe("onnxruntime intra-op threads."),
  cacheDir: z.string().optional().describe("Model cache for hub ids."),
  offline: z.boolean().optional().describe("Never download."),
});

/** The part of the models package's causal LM this adapter uses. */
export interface CausalLM {
  generate(
    prompts: (string | number[])[],
    opts: {
      maxNewTokens: number;
      temperature?: number;
      topK?: number;
      topP?: number;
      stop?: string[];
      seed?: number;
      greedy?: boolean;
    },
  ): Promise<{ text: string; ids: number[]; promptIds: number[] }[]>;
  release?(): Promise<void>;
  /** Its tokenizer: the chat template and the ids of a plain-text prompt come from it. */
  readonly tokenizer?: TextTokenizer;
}

/** What a checkpoint holds of a local target. */
type LocalTargetState = {
  call: number;
  tuned: { lora: SafetyTuneOptions["lora"]; params: Record<string, Float32Array> } | null;
};

/** How the target's model loads: hub cache (cacheDir), threads, and its sessions' device and compiled-model cache. */
export interface LocalLoadOptions {
  threads?: number;
  cacheDir?: string;
  offline?: boolean;
  session?: Omit<SessionOptions, "threads">;
}

export async function createLocalLMTarget(
  kind: string,
  source: string,
  opts: z.output<typeof localLMTargetOptions>,
  deps: {
    /** Sessions' device and compiled-model cache (ProviderContext.session). */
    session?: Omit<SessionOptions, "threads">;
    /** The model loader (default: curio's own, inference only). */
    load?: (source: string, o: LocalLoadOptions) => Promise<CausalLM>;
  } = {},
): Promise<TrainableTarget> {
  const id = `${kind}:${source}`;
  const models = await import("../../models/index.js");
  const loader =
    deps.load ??
    ((s: string, o: LocalLoadOptions) => models.DecoderPolicy.load(s, { ...o, trainable: { kind: "none" } }));
  const loadOpts: LocalLoadOptions = {
    threads: opts.threads,
    cacheDir: opts.cacheDir,
    offline: opts.offline,
    session: deps.session,
  };
  let lm = (await loader(source, loadOpts)) as CausalLM;
  let call = 0;
  // after the first safetyTune (or a restore of a tuned state): the trainable model that answers from then on
  let tuned: { policy: Policy; lora: SafetyTuneOptions["lora"] } | null = null;
  let restore: LocalTargetState["tuned"] = null; // loadState is synchronous: the factors load on next use

  const tunable = async (lora: SafetyTuneOptions["lora"]): Promise<Policy> => {
    if (tuned) return tuned.policy;
    const policy = await models.DecoderPolicy.load(source, {
      ...loadOpts,
      trainable: { kind: "lora", r: lora.r, alpha: lora.alpha, targets: lora.targets },
      reference: false,
    });
    await lm.release?.();
    lm = policy;
    tuned = { policy, lora };
    return policy;
  };
  const ready = async (): Promise<void> => {
    if (!restore) return;
    const s = restore;
    restore = null;
    const policy = await tunable(s.lora);
    for (const p of policy.params()) {
      const v = s.params[p.name];
      if (!v || v.length !== p.data.length)
        throw new Error(`${id}: the checkpoint's tuned factors do not fit this model (${p.name})`);
      p.data.set(v);
    }
  };

  // Text templates (alpaca, vicuna, ...) wrap the test case as before; raw and chat defer to the model's own
  // chat template (chatTemplate: auto) or give the plain text with the tokenizer's BOS, as transformers would.
  const input = (x: string): string | number[] =>
    lm.tokenizer && (opts.template === "raw" || opts.template === "chat")
      ? instructionPrompt(lm.tokenizer, x, {
          chatTemplate: opts.chatTemplate,
          systemPrompt: opts.systemPrompt,
        }).ids
      : applyTemplate(opts.template, x, opts.systemPrompt);
  return {
    id,
    async respond(prompts, callOpts): Promise<TargetResult[]> {
      await ready();
      const results: TargetResult[] = [];
      for (let i = 0; i < prompts.length; i += opts.batchSize) {
        const batch = prompts.slice(i, i + opts.batchSize);
        const started = performance.now();
        if (callOpts?.signal?.aborted) {
          results.push(...batch.map(() => ({ text: "", error: `${id}: aborted`, latencyMs: 0 })));
          continue;
        }
        try {
          const gens = await lm.generate(batch.map(input), {
            maxNewTokens: opts.max_new_tokens,
            temperature: opts.temperature,
            topK: opts.top_k,
            topP: opts.top_p,
            stop: opts.stop,
            // A fresh seed per call keeps answers varied across calls yet reproducible for a run.
            seed: opts.seed + call++,
            greedy: opts.greedy,
          });
          const latencyMs = (performance.now() - started) / batch.length;
          results.push(
            ...gens.map((g) => ({
              text: g.text,
              latencyMs,
              usage: { promptTokens: g.promptIds.length, completionTokens: g.ids.length },
            })),
          );
        } catch (err) {
          const latencyMs = performance.now() - started;
          results.push(
            ...batch.map(() => ({ text: "", error: `${id}: ${(err as Error).message}`, latencyMs })),
          );
        }
      }
      return results;
    },
    async safetyTune(pairs: readonly SafetyPair[], o: SafetyTuneOptions) {
      await ready();
      const policy = await tunable(tuned?.lora ?? o.lora);
      const tok = policy.tokenizer;
      const examples = pairs
        .map((p) => {
          // the prompt exactly as respond() feeds it, the refusal as the answer, then end of text
          const x = input(p.prompt);
          const prompt = typeof x === "string" ? tok.encode(x) : x;
          return { ids: [...prompt, ...tok.encode(p.response), tok.eosId], promptLength: prompt.length };
        })
        .filter((e) => e.ids.length <= policy.config.maxPositions);
      if (examples.length === 0) return { losses: [], examples: 0 };
      const { losses } = await models.trainLm(policy, examples, {
        lr: o.lr,
        steps: o.steps,
        batchSize: Math.min(o.batchSize, examples.length),
        seed: o.seed,
      });
      return { losses, examples: examples.length };
    },
    async saveModel(dir, o = {}) {
      await ready();
      if (!tuned)
        throw new Error(`${id}: the target was never safety-tuned; there is no tuned model to save`);
      await tuned.policy.save(dir);
      if (o.adapterDir) await tuned.policy.savePeftAdapter(o.adapterDir);
    },
    state(): StateValue {
      const t = tuned ?? null;
      const params = t ? Object.fromEntries(t.policy.params().map((p) => [p.name, p.data.slice()])) : null;
      const s: LocalTargetState = { call, tuned: t && params ? { lora: { ...t.lora }, params } : restore };
      return s as unknown as StateValue;
    },
    loadState(s: StateValue) {
      const st = s as unknown as LocalTargetState;
      call = st.call;
      if (st.tuned) restore = st.tuned;
      else if (tuned) throw new Error(`${id}: cannot restore an untuned state into a tuned target`);
    },
    close: async () => {
      await lm.release?.();
    },
  };
}
