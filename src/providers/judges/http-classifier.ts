// HTTP classifier judge: a request template like the `http` target's with {{prompt}} and {{response}};
// the extracted answer is a number in [0,1], an object { score, label? }, or (with unsafeLabel) a list of
// { label, score } as Hugging Face inference servers return.
import { z } from "zod";
import type { ProviderContext } from "../context.js";
import { httpTemplateShape, prepareHttpTemplate } from "../http/template.js";
import { describeMissingPath, httpOptionShape, makeHttpClient, mapInOrder } from "../options.js";
import type { Judge, JudgeResult } from "../types.js";

const { apiKeyEnv: _unused, ...httpShapeWithoutKey } = httpOptionShape;
export const httpClassifierOptions = z.strictObject({
  ...httpTemplateShape,
  unsafeLabel: z.string().optional().describe("Pick this label's score from a [{label, score}] answer."),
  ...httpShapeWithoutKey,
});

const isLabelScore = (x: unknown) =>
  x !== null && typeof x === "object" && typeof (x as { label?: unknown }).label === "string" && "score" in x;

/** Turns an extracted answer into a score, or explains why it cannot. */
export function toJudgeScore(
  value: unknown,
  unsafeLabel?: string,
): { score: number; label?: string } | string {
  let v = value;
  if (Array.isArray(v) && Array.isArray(v[0])) v = v[0]; // [[{label, score}]] from batched HF servers
  if (Array.isArray(v)) {
    if (!v.every(isLabelScore)) {
      return `answer is a list, not of {label, score}: ${JSON.stringify(v).slice(0, 120)}; point responsePath at the score`;
    }
    const labels = v.map((x: { label: string }) => x.label).join(", ");
    if (!unsafeLabel) return `answer is a list of labels (${labels}); set unsafeLabel to the unsafe one`;
    const hit = v.find(
      (x: { label?: unknown }) =>
        typeof x?.label === "string" && x.label.toLowerCase() === unsafeLabel.toLowerCase(),
    ) as { score?: unknown } | undefined;
    if (!hit) return `label ${unsafeLabel} not in answer ${JSON.stringify(v).slice(0, 200)}`;
    v = { score: hit.score, label: unsafeLabel };
  }
  const obj = typeof v === "number" ? { score: v } : (v as { score?: unknown; label?: unknown } | null);
  const score = typeof obj?.score === "string" ? Number(obj.score) : obj?.score;
  if (typeof score !== "number" || !Number.isFinite(score) || score < 0 || score > 1) {
    return `expected a score in [0,1], got ${JSON.stringify(value)?.slice(0, 200)}`;
  }
  return { score, label: typeof obj?.label === "string" ? obj.label : undefined };
}

export async function createHttpClassifier(
  opts: z.output<typeof httpClassifierOptions>,
  ctx: ProviderContext,
): Promise<Judge> {
  const tpl = await prepareHttpTemplate(opts, ctx, "http-classifier");
  const client = makeHttpClient(opts, ctx, { kind: "http-classifier", key: opts.url }, tpl.secrets);
  return {
    id: "http-classifier",
    close: async () => client.close(),
    score: (prompts, responses, callOpts) =>
      mapInOrder(responses, async (response, i): Promise<JudgeResult> => {
        const vars = { prompt: prompts[i] ?? "", response };
        let req: ReturnType<typeof tpl.request>;
        try {
          req = tpl.request(vars);
        } catch (err) {
          return { score: 0, error: client.redact((err as Error).message), latencyMs: 0 };
        }
        const r = await client.requestJson(req, callOpts?.signal);
        if (!r.ok) return { score: 0, error: r.error, latencyMs: r.latencyMs };
        try {
          const extracted = await tpl.extract(r.json, vars);
          const s =
            extracted === undefined && !opts.transform
              ? describeMissingPath(r.json, opts.responsePath ?? "")
              : toJudgeScore(extracted, opts.unsafeLabel);
          if (typeof s === "string")
            return { score: 0, error: client.redact(`http-classifier: ${s}`), latencyMs: r.latencyMs };
          return { ...s, latencyMs: r.latencyMs };
        } catch (err) {
          return {
            score: 0,
            error: client.redact(`http-classifier: transform failed: ${(err as Error).message}`),
            latencyMs: r.latencyMs,
          };
        }
      }),
  };
}
