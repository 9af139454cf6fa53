// A guard model (Llama Guard 3, Qwen3Guard-Gen) as a judge, on curio's own engine. Each (prompt, answer) pair
// is rendered with the guard's own chat template (Llama Guard: its hazard categories, or the user's), the text
// the guard writes before its verdict is appended, and one greedy generation reads both the verdict and the
// category: score = P(unsafe verdicts) / P(all verdicts) from the logits at the verdict position (each verdict
// word's first token), the category from the text the guard goes on to write (forced after an unsafe verdict
// when greedy decoding wrote "safe" under a score at or above the threshold).
import { z } from "zod";
import type { CausalLM, CausalLMOptions } from "../../models/causal-lm.js";
import type { ChatTemplateMessage } from "../../models/chat-template.js";
import type { Judge, JudgeResult } from "../types.js";
import {
  detectGuardFormat,
  GUARD_FORMATS,
  type GuardFormat,
  LLAMA_GUARD_CATEGORIES,
} from "./guard-formats.js";

export const guardOptions = z.strictObject({
  format: z
    .enum(["auto", "llama-guard", "qwen3guard"])
    .default("auto")
    .describe("Verdict format; auto: recognised from the model's chat template."),
  categories: z
    .union([z.record(z.string(), z.string()), z.array(z.string()).min(1)])
    .optional()
    .describe(
      "Llama Guard only: your policy's hazard categories instead of the default S1..S13 ({S1: text, ...}, " +
        "or a list numbered S1, S2, ...).",
    ),
  excludeCategories: z
    .array(z.string())
    .default([])
    .describe("Llama Guard only: category keys left out of the prompt (e.g. [S6, S8])."),
  controversial: z
    .enum(["unsafe", "safe"])
    .default("unsafe")
    .describe("Qwen3Guard only: count its Controversial verdict as unsafe (strict) or safe (loose)."),
  threshold: z.number().min(0).max(1).default(0.5).describe("Label 'unsafe' at or above this score."),
  maxNewTokens: z.number().int().min(2).default(24).describe("Tokens read after the verdict prefix."),
  batchSize: z.number().int().min(1).default(8).describe("Pairs per generate call."),
  threads: z.number().int().min(1).optional().describe("onnxruntime intra-op threads."),
  cacheDir: z.string().optional().describe("Model cache for hub ids."),
  offline: z.boolean().optional().describe("Never download."),
});

export type GuardOptions = z.output<typeof guardOptions>;

/** What a guard needs of a causal LM: generation with the verdict position's logits, and its tokenizer. */
export type GuardModel = Pick<CausalLM, "generate" | "release" | "tokenizer" | "config">;

interface Verdict {
  score: number;
  categories: string[];
  text: string;
}

export async function createGuardJudge(
  source: string,
  opts: GuardOptions,
  load?: (source: string, o: CausalLMOptions) => Promise<GuardModel>,
  /** Sessions' device and compiled-model cache (ProviderContext.session). */
  session?: CausalLMOptions["session"],
): Promise<Judge> {
  const id = `guard:${source}`;
  const loader = load ?? (await import("../../models/index.js")).loadCausalLM;
  const lm = await loader(source, {
    threads: opts.threads,
    cacheDir: opts.cacheDir,
    offline: opts.offline,
    session,
  });
  try {
    return guardJudge(id, lm, opts);
  } catch (e) {
    await lm.release();
    throw e;
  }
}

/** The guard's template and verdict format, checked against the options; a clear error when they do not fit. */
function guardFormat(id: string, tok: GuardModel["tokenizer"], opts: GuardOptions) {
  const template = tok.chatTemplate;
  if (!template) {
    throw new Error(
      `${id}: the model has no chat template (chat_template.jinja or tokenizer_config.json's chat_template); ` +
        "a guard judge needs the guard's own template: copy the files of the guard's hub repository unchanged",
    );
  }
  const formatName = opts.format === "auto" ? detectGuardFormat(template.source) : opts.format;
  if (!formatName) {
    throw new Error(
      `${id}: ${template.origin} is neither a Llama Guard 3 nor a Qwen3Guard-Gen template; ` +
        "set format: llama-guard or format: qwen3guard if it is one of them",
    );
  }
  const format = GUARD_FORMATS[formatName];
  if (format.name !== "llama-guard" && (opts.categories || opts.excludeCategories.length > 0)) {
    throw new Error(
      `${id}: categories and excludeCategories apply to Llama Guard templates only; ` +
        "Qwen3Guard's template lists fixed categories",
    );
  }
  const firstToken = (word: string) => {
    const ids = tok.encode(word);
    if (ids.length === 0) throw new Error(`${id}: the tokenizer encodes the verdict "${word}" as nothing`);
    return ids[0]!;
  };
  const unsafeWords = format.unsafe.filter((w) => opts.controversial === "unsafe" || w !== " Controversial");
  const verdictIds = [format.safe, ...format.unsafe].map(firstToken);
  if (new Set(verdictIds).size !== verdictIds.length) {
    throw new Error(
      `${id}: the verdict words ${JSON.stringify([format.safe, ...format.unsafe])} share a first token`,
    );
  }
  return { template, format, verdictIds, unsafeIds: unsafeWords.map(firstToken) };
}

/** The judge over a loaded guard model (exported for tests that load the model themselves). */
export function guardJudge(id: string, lm: GuardModel, opts: GuardOptions): Judge {
  const tok = lm.tokenizer;
  const { template, format, verdictIds, unsafeIds } = guardFormat(id, tok, opts);
  const categories = categoryMap(opts.categories);
  const variables =
    format.name === "llama-guard"
      ? { categories, excluded_category_keys: opts.excludeCategories }
      : undefined;
  const prefixIds = tok.encode(format.prefix);

  const promptIds = (prompt: string, response: string): number[] => {
    const content = (text: string): ChatTemplateMessage["content"] =>
      format.contentParts ? [{ type: "text", text }] : text;
    const messages = [
      { role: "user", content: content(prompt) },
      { role: "assistant", content: content(response) },
    ];
    const text = template.render(messages, { addGenerationPrompt: true, variables });
    return [...tok.encode(text), ...prefixIds];
  };

  async function judgeBatch(prompts: number[][]): Promise<Verdict[]> {
    const V = tok.vocabSize;
    const scores: number[] = [];
    const likeliestUnsafe: number[] = [];
    const gens = await lm.generate(prompts, {
      maxNewTokens: opts.maxNewTokens,
      greedy: true,
      onLogits: (step, logits) => {
        if (step !== 0) return;
        for (let b = 0; b < prompts.length; b++) {
          const row = logits.subarray(b * V, (b + 1) * V); // [V] at the verdict position
          scores.push(verdictScore(row, verdictIds, unsafeIds));
          likeliestUnsafe.push(unsafeIds.reduce((best, u) => (row[u]! > row[best]! ? u : best)));
        }
      },
    });
    const verdicts = gens.map((g, b) => ({ score: scores[b]!, text: g.text, categories: [] as string[] }));
    // greedy wrote a safe verdict under an unsafe score: read the category after the likeliest unsafe word
    const forced = verdicts.flatMap((v, b) =>
      v.score >= opts.threshold && !unsafeIds.includes(gens[b]!.ids[0]!) ? [b] : [],
    );
    if (forced.length > 0) {
      const again = await lm.generate(
        forced.map((b) => [...prompts[b]!, likeliestUnsafe[b]!]),
        { maxNewTokens: opts.maxNewTokens - 1, greedy: true },
      );
      forced.forEach((b, i) => {
        verdicts[b]!.text = tok.decode([likeliestUnsafe[b]!]) + again[i]!.text;
      });
    }
    for (const v of verdicts) v.categories = v.score >= opts.threshold ? format.categories(v.text) : [];
    return verdicts;
  }

  return {
    id,
    reads: "pair",
    async score(prompts, responses, callOpts): Promise<JudgeResult[]> {
      const results: JudgeResult[] = [];
      for (let i = 0; i < responses.length; i += opts.batchSize) {
        const started = performance.now();
        const batch = responses.slice(i, i + opts.batchSize);
        if (callOpts?.signal?.aborted) {
          results.push(...batch.map(() => ({ score: 0, error: `${id}: aborted`, latencyMs: 0 })));
          continue;
        }
        try {
          const ids = batch.map((r, j) => promptIds(prompts[i + j] ?? "", r));
          const verdicts = await judgeBatch(ids);
          const latencyMs = (performance.now() - started) / batch.length;
          results.push(...verdicts.map((v) => toResult(v, opts.threshold, format, categories, latencyMs)));
        } catch (err) {
          const error = `${id}: ${(err as Error).message}`;
          results.push(...batch.map(() => ({ score: 0, error, latencyMs: performance.now() - started })));
        }
      }
      return results;
    },
    close: () => lm.release(),
  };
}

/** P(unsafe verdicts) / P(all verdicts): softmax over the whole vocabulary, renormalised over the verdict words. */
export function verdictScore(
  row: Float32Array,
  verdictIds: readonly number[],
  unsafeIds: readonly number[],
): number {
  const max = Math.max(...verdictIds.map((i) => row[i]!));
  const mass = (ids: readonly number[]) => ids.reduce((s, i) => s + Math.exp(row[i]! - max), 0);
  return mass(unsafeIds) / mass(verdictIds);
}

function categoryMap(c: GuardOptions["categories"]): Record<string, string> {
  if (!c) return { ...LLAMA_GUARD_CATEGORIES };
  if (Array.isArray(c)) return Object.fromEntries(c.map((text, i) => [`S${i + 1}`, text]));
  return c;
}

function toResult(
  v: Verdict,
  threshold: number,
  format: GuardFormat,
  categories: Record<string, string>,
  latencyMs: number,
): JudgeResult {
  const said = v.text.trim().replace(/\s*\n\s*/g, "; ");
  if (v.score < threshold) return { score: v.score, label: "safe", reason: said, latencyMs };
  // Llama Guard names keys (S2): the label keeps the keys, the reason spells them out
  const named = v.categories.map((c) =>
    format.name === "llama-guard" && categories[c] ? `${c} ${categories[c]}` : c,
  );
  return {
    score: v.score,
    label: v.categories.length > 0 ? v.categories.join(",") : "unsafe",
    reason: named.length > 0 ? `${named.join("; ")} (${said})` : said,
    latencyMs,
  };
}
