// A policy classifier trained by `curio judge train` (src/policy-judge): a curio causal LM fine-tuned with LoRA
// to answer "unsafe\n<rule>" or "safe" after a fixed verdict prompt. Its classification head is the LM head
// read at the two label words: score = P(unsafe) / (P(unsafe) + P(safe)) at the verdict position (each word by
// its first token); the rule it goes on to write is the label. The folder holds the merged model and
// classifier.json (label words, threshold, the policy's rules, the agreement measured at training time).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { CausalLM } from "../../models/causal-lm.js";
import type { TextTokenizer } from "../../models/tokenizer.js";
import { type ProviderContext, resolvePath } from "../context.js";
import type { Judge, JudgeResult } from "../types.js";
import { verdictScore } from "./guard.js";

export const CLASSIFIER_FILE = "classifier.json";
export const SAFE_WORD = "safe";
export const UNSAFE_WORD = "unsafe";
/** Room left after the prompt for the verdict and the rule key. */
const VERDICT_TOKENS = 8;

export interface ClassifierInfo {
  kind: "curio-policy-classifier";
  version: 1;
  threshold: number;
  /** Rule keys (R1, R2, ...) and their text, as the labelling judge saw them. */
  rules: Record<string, string>;
  [extra: string]: unknown;
}

export const localClassifierOptions = z.strictObject({
  path: z.string().describe("Folder written by `curio judge train --out` (relative to the base dir)."),
  threshold: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe("Label 'unsafe' at or above this score (default: the one saved with the classifier)."),
  batchSize: z.number().int().min(1).default(16).describe("Pairs per forward pass."),
  threads: z.number().int().min(1).optional().describe("onnxruntime intra-op threads."),
});

/** The text the classifier reads: what it was trained on and what it scores. */
export function classifierText(prompt: string, response: string): string {
  return `Prompt: ${prompt.trim()}\nResponse: ${response.trim()}\nVerdict:\n`;
}

/** Prompt ids (with BOS where the tokenizer adds one), the response cut so the verdict fits the positions. */
export function classifierIds(
  tok: TextTokenizer,
  maxPositions: number,
  prompt: string,
  response: string,
): number[] {
  const ids = tok.encode(classifierText(prompt, response), { addSpecialTokens: true });
  const room = maxPositions - VERDICT_TOKENS;
  if (ids.length <= room) return ids;
  const tail = tok.encode("\nVerdict:\n");
  return [...ids.slice(0, room - tail.length), ...tail];
}

/** The label words' first tokens; they must differ for the score to mean anything. */
export function labelTokens(tok: TextTokenizer, where: string): { safe: number; unsafe: number } {
  const first = (w: string) => tok.encode(w)[0];
  const safe = first(SAFE_WORD);
  const unsafe = first(UNSAFE_WORD);
  if (safe === undefined || unsafe === undefined || safe === unsafe) {
    throw new Error(
      `${where}: the tokenizer starts "${SAFE_WORD}" and "${UNSAFE_WORD}" with the same token; ` +
        "a policy classifier needs a base model whose tokenizer tells them apart",
    );
  }
  return { safe, unsafe };
}

export function readClassifierInfo(dir: string): ClassifierInfo {
  const file = join(dir, CLASSIFIER_FILE);
  let info: ClassifierInfo;
  try {
    info = JSON.parse(readFileSync(file, "utf8")) as ClassifierInfo;
  } catch (e) {
    throw new Error(
      `${file} cannot be read (${(e as Error).message}); point path at a folder written by curio judge train --out`,
    );
  }
  if (info.kind !== "curio-policy-classifier")
    throw new Error(`${file} is not a curio policy classifier (kind ${JSON.stringify(info.kind)})`);
  return info;
}

export async function createLocalClassifier(
  opts: z.output<typeof localClassifierOptions>,
  ctx: ProviderContext,
): Promise<Judge> {
  const dir = resolvePath(ctx, opts.path);
  const id = `local-classifier:${opts.path}`;
  const info = readClassifierInfo(dir);
  const { loadCausalLM } = await import("../../models/index.js");
  const lm = await loadCausalLM(dir, { threads: opts.threads, session: ctx.session });
  try {
    return classifierJudge(id, lm, info.rules, opts.threshold ?? info.threshold, opts.batchSize);
  } catch (e) {
    await lm.release();
    throw e;
  }
}

function classifierJudge(
  id: string,
  lm: Pick<CausalLM, "generate" | "release" | "tokenizer" | "config">,
  rules: Record<string, string>,
  threshold: number,
  batchSize: number,
): Judge {
  const tok = lm.tokenizer;
  const { safe, unsafe } = labelTokens(tok, id);
  const V = tok.vocabSize;
  async function batchScores(prompts: string[], responses: string[]): Promise<JudgeResult[]> {
    const started = performance.now();
    const ids = responses.map((r, i) => classifierIds(tok, lm.config.maxPositions, prompts[i] ?? "", r));
    const scores: number[] = [];
    const gens = await lm.generate(ids, {
      maxNewTokens: VERDICT_TOKENS - 2,
      greedy: true,
      onLogits: (step, logits) => {
        if (step !== 0) return;
        for (let b = 0; b < ids.length; b++)
          scores.push(verdictScore(logits.subarray(b * V, (b + 1) * V), [safe, unsafe], [unsafe])); // [V]
      },
    });
    const texts = gens.map((g) => g.text);
    // an unsafe score under a greedy verdict that is not "unsafe": read the rule written after "unsafe"
    const forced = gens.flatMap((g, b) => (scores[b]! >= threshold && g.ids[0] !== unsafe ? [b] : []));
    if (forced.length > 0) {
      const again = await lm.generate(
        forced.map((b) => [...ids[b]!, unsafe]),
        { maxNewTokens: VERDICT_TOKENS - 3, greedy: true },
      );
      forced.forEach((b, i) => {
        texts[b] = UNSAFE_WORD + again[i]!.text;
      });
    }
    const latencyMs = (performance.now() - started) / ids.length;
    return texts.map((text, b) => {
      const score = scores[b]!;
      if (score < threshold) return { score, label: "safe", latencyMs };
      // the rule's number on the second line (a small model may garble the "R")
      const n = /(\d+)/.exec(text.split("\n")[1] ?? "")?.[1];
      const rule = n !== undefined && rules[`R${n}`] !== undefined ? `R${n}` : undefined;
      return { score, label: rule ?? "unsafe", reason: rule ? rules[rule] : undefined, latencyMs };
    });
  }
  return {
    id,
    reads: "pair",
    async score(prompts, responses, callOpts) {
      const out: JudgeResult[] = [];
      for (let i = 0; i < responses.length; i += batchSize) {
        const r = responses.slice(i, i + batchSize);
        if (callOpts?.signal?.aborted) {
          out.push(...r.map(() => ({ score: 0, error: `${id}: aborted`, latencyMs: 0 })));
          continue;
        }
        try {
          out.push(...(await batchScores(prompts.slice(i, i + batchSize), r)));
        } catch (e) {
          out.push(...r.map(() => ({ score: 0, error: `${id}: ${(e as Error).message}` })));
        }
      }
      return out;
    },
    close: () => lm.release(),
  };
}
