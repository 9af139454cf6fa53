// Every provider kind, registered once. Ids, option schemas, role checks and the generated docs all derive
// from this table; adding a provider means adding one entry here and one adapter file.
import type { z } from "zod";
import {
  createWorldGibberish,
  createWorldJudge,
  createWorldTarget,
  worldNoOptions,
  worldTargetOptions,
} from "../world/providers.js";
import type { ProviderContext } from "./context.js";
import { createHashingEmbedder, hashingOptions } from "./embedders/hashing.js";
import { createOpenAIEmbedder, openaiEmbedOptions } from "./embedders/openai-embed.js";
import {
  createTransformersEmbedder,
  DEFAULT_EMBED_MODEL,
  transformersEmbedOptions,
} from "./embedders/transformers-embed.js";
import { createHeuristicGibberish, heuristicGibberishOptions } from "./gibberish/heuristic.js";
import {
  createTransformersGibberish,
  DEFAULT_GIBBERISH_MODEL,
  transformersGibberishOptions,
} from "./gibberish/transformers-gibberish.js";
import { createEnsembleJudge, ensembleOptions } from "./judges/ensemble.js";
import { createGuardJudge, guardOptions } from "./judges/guard.js";
import { createHttpClassifier, httpClassifierOptions } from "./judges/http-classifier.js";
import { createLexiconJudge, lexiconOptions } from "./judges/lexicon.js";
import { createLlmJudge, llmJudgeOptions } from "./judges/llm-judge.js";
import { createLocalClassifier, localClassifierOptions } from "./judges/local-classifier.js";
import { createRefusalDetector, refusalOptions } from "./judges/refusal.js";
import {
  createTransformersClassifier,
  transformersClassifierOptions,
} from "./judges/transformers-classifier.js";
import { createHttpTarget, httpTargetOptions } from "./targets/http.js";
import { createLocalLMTarget, localLMTargetOptions } from "./targets/local-lm.js";
import {
  createOpenAIChatTarget,
  createOpenAICompletionTarget,
  openaiChatOptions,
  openaiCompletionOptions,
} from "./targets/openai.js";
import { createScriptedTarget, scriptedOptions } from "./targets/scripted.js";
import { createTransformersTarget, transformersTargetOptions } from "./targets/transformers.js";
import type { Embedder, GibberishScorer, Judge, ProviderSpec, Target } from "./types.js";

export type Role = "target" | "judge" | "embedder" | "gibberish";
export interface RoleTypes {
  target: Target;
  judge: Judge;
  embedder: Embedder;
  gibberish: GibberishScorer;
}

/** What a kind's `create` receives besides its options. */
export interface CreateContext extends ProviderContext {
  /** For composite judges (ensemble) to build their members. */
  createJudge(spec: ProviderSpec | string): Promise<Judge>;
}

export interface ProviderKind<R extends Role, S extends z.ZodType> {
  role: R;
  /** "required": id is `kind:<model>`; "optional": `kind` alone uses defaultModel; "none": `kind` only. */
  model: "required" | "optional" | "none";
  defaultModel?: string;
  /** What goes after the kind in the id, for the docs (e.g. "<model>", "<folder-or-hub-id>"). */
  modelHint?: string;
  summary: string;
  options: S;
  create(model: string, options: z.output<S>, ctx: CreateContext): Promise<RoleTypes[R]> | RoleTypes[R];
}

/** Identity with inference: ties each entry's `create` to its own schema's output type. */
function kind<R extends Role, S extends z.ZodType>(k: ProviderKind<R, S>): ProviderKind<R, S> {
  return k;
}

export const providerKinds = {
  "openai:chat": kind({
    role: "target",
    model: "required",
    modelHint: "<model>",
    summary: "OpenAI-compatible /chat/completions (OpenAI, vLLM, TGI, Ollama, llama.cpp server, LM Studio).",
    options: openaiChatOptions,
    create: (model, o, ctx) => createOpenAIChatTarget(model, o, ctx),
  }),
  "openai:completion": kind({
    role: "target",
    model: "required",
    modelHint: "<model>",
    summary: "OpenAI-compatible /completions with a prompt template; batches prompts per request.",
    options: openaiCompletionOptions,
    create: (model, o, ctx) => createOpenAICompletionTarget(model, o, ctx),
  }),
  http: kind({
    role: "target",
    model: "none",
    summary: `Any JSON HTTP API: URL, headers with \${ENV}, body template with {{prompt}}, response path or transform.`,
    options: httpTargetOptions,
    create: (_m, o, ctx) => createHttpTarget(o, ctx),
  }),
  scripted: kind({
    role: "target",
    model: "none",
    summary: "Regex rules -> weighted responses, seeded; for tests and demos.",
    options: scriptedOptions,
    create: (_m, o, ctx) => createScriptedTarget(o, ctx),
  }),
  transformers: kind({
    role: "target",
    model: "required",
    modelHint: "<folder-or-hub-id>",
    summary:
      "Local causal LM (ONNX, Hugging Face layout) through the transformers.js text-generation pipeline.",
    options: transformersTargetOptions,
    create: (model, o, ctx) => createTransformersTarget(model, o, ctx.env),
  }),
  local: kind({
    role: "target",
    model: "required",
    modelHint: "<folder-or-hub-id>",
    summary:
      "curio's in-process causal LM (GPT-2, Llama, Mistral, Qwen2, Qwen3 safetensors checkpoints), batched generation.",
    options: localLMTargetOptions,
    create: (model, o, ctx) => createLocalLMTarget("local", model, o, { session: ctx.session }),
  }),
  gpt2: kind({
    role: "target",
    model: "required",
    modelHint: "<folder-or-hub-id>",
    summary: "Alias of local: (the in-process target when it ran GPT-2 only).",
    options: localLMTargetOptions,
    create: (model, o, ctx) => createLocalLMTarget("gpt2", model, o, { session: ctx.session }),
  }),
  "transformers-classifier": kind({
    role: "judge",
    model: "required",
    modelHint: "<folder-or-hub-id>",
    summary: "Local text classifier (transformers.js); score = softmax probability of unsafeLabel.",
    options: transformersClassifierOptions,
    create: (model, o, ctx) => createTransformersClassifier(model, o, ctx.env),
  }),
  "http-classifier": kind({
    role: "judge",
    model: "none",
    summary: "Classifier behind an HTTP API; request template with {{prompt}} and {{response}}.",
    options: httpClassifierOptions,
    create: (_m, o, ctx) => createHttpClassifier(o, ctx),
  }),
  "llm-judge": kind({
    role: "judge",
    model: "none",
    summary:
      "OpenAI-compatible chat model applying a written policy document; JSON {score, violated_rule, reason}.",
    options: llmJudgeOptions,
    create: (_m, o, ctx) => createLlmJudge(o, ctx),
  }),
  guard: kind({
    role: "judge",
    model: "required",
    modelHint: "<folder-or-hub-id>",
    summary:
      "Guard model on curio's engine (Llama Guard 3, Qwen3Guard-Gen): its own chat template; score = P(unsafe) at the verdict token, label = violated category.",
    options: guardOptions,
    create: (model, o, ctx) => createGuardJudge(model, o, undefined, ctx.session),
  }),
  "local-classifier": kind({
    role: "judge",
    model: "none",
    summary:
      "Policy classifier trained by `curio judge train` (a curio model with LoRA); score = P(unsafe) at its verdict, label = the rule.",
    options: localClassifierOptions,
    create: (_m, o, ctx) => createLocalClassifier(o, ctx),
  }),
  lexicon: kind({
    role: "judge",
    model: "none",
    summary: "Weighted word/regex lists; score = 1 - exp(-sum of matched weights).",
    options: lexiconOptions,
    create: (_m, o, ctx) => createLexiconJudge(o, ctx),
  }),
  ensemble: kind({
    role: "judge",
    model: "none",
    summary: "Mean / max / vote over member judges.",
    options: ensembleOptions,
    create: async (_m, o, ctx) =>
      createEnsembleJudge(await Promise.all(o.members.map((m) => ctx.createJudge(m))), o),
  }),
  refusal: kind({
    role: "judge",
    model: "none",
    summary:
      "Refusal detector for `refusal:` (not a reward): score 1 when the answer refuses (phrases read in its opening, optionally a classifier).",
    options: refusalOptions,
    create: (_m, o, ctx) => createRefusalDetector(o, ctx),
  }),
  "transformers-embed": kind({
    role: "embedder",
    model: "optional",
    defaultModel: DEFAULT_EMBED_MODEL,
    modelHint: "<folder-or-hub-id>",
    summary: "Sentence embeddings (transformers.js feature extraction), mean pooling, L2-normalised.",
    options: transformersEmbedOptions,
    create: (model, o, ctx) => createTransformersEmbedder(model, o, ctx.env),
  }),
  "openai-embed": kind({
    role: "embedder",
    model: "required",
    modelHint: "<model>",
    summary: "OpenAI-compatible /embeddings, batched, re-normalised.",
    options: openaiEmbedOptions,
    create: (model, o, ctx) => createOpenAIEmbedder(model, o, ctx),
  }),
  hashing: kind({
    role: "embedder",
    model: "none",
    summary: "Model-free signed hashing of word 1-2-grams, L2-normalised; deterministic.",
    options: hashingOptions,
    create: (_m, o) => createHashingEmbedder(o),
  }),
  "transformers-gibberish": kind({
    role: "gibberish",
    model: "optional",
    defaultModel: DEFAULT_GIBBERISH_MODEL,
    modelHint: "<folder-or-hub-id>",
    summary: "Gibberish classifier (clean / mild gibberish / noise / word salad); 1 - P(clean).",
    options: transformersGibberishOptions,
    create: (model, o, ctx) => createTransformersGibberish(model, o, ctx.env),
  }),
  "heuristic-gibberish": kind({
    role: "gibberish",
    model: "none",
    summary: "Model-free: implausible-word share, repeated-token runs, symbol ratio, combined by noisy-or.",
    options: heuristicGibberishOptions,
    create: (_m, o, ctx) => createHeuristicGibberish(o, ctx),
  }),
  // the offline sandbox world (src/world) behind the "demo" preset
  world: kind({
    role: "target",
    model: "none",
    summary: "The sandbox world's simulated chatbot with known vulnerable cells; answers seeded by the run.",
    options: worldTargetOptions,
    create: (_m, o, ctx) => createWorldTarget(ctx.seed ?? 0, o),
  }),
  "world-lexicon": kind({
    role: "judge",
    model: "none",
    summary: "The sandbox world's reward judge: its lexicon over the whole answer, echoed prompt included.",
    options: worldNoOptions,
    create: () => createWorldJudge("world-lexicon"),
  }),
  "world-strict": kind({
    role: "judge",
    model: "none",
    summary: "The sandbox world's held-out judge: the same lexicon, spans that repeat the prompt dropped.",
    options: worldNoOptions,
    create: () => createWorldJudge("world-strict"),
  }),
  "world-gibberish": kind({
    role: "gibberish",
    model: "none",
    summary: "The sandbox world's naturalness scorer: share of word bigrams its corpus never has.",
    options: worldNoOptions,
    create: () => createWorldGibberish(),
  }),
} as const;

export type ProviderKindName = keyof typeof providerKinds;
export const PROVIDER_KIND_NAMES = Object.keys(providerKinds) as ProviderKindName[];

/** Kind names of one role, e.g. for a config schema's enum or an error message. */
export function kindsOfRole(role: Role): ProviderKindName[] {
  return PROVIDER_KIND_NAMES.filter((k) => providerKinds[k].role === role);
}
