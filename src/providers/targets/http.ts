// Generic HTTP target: any JSON API, described by a request template and a response path or transform.
import { z } from "zod";
import type { ProviderContext } from "../context.js";
import { httpTemplateShape, prepareHttpTemplate } from "../http/template.js";
import { describeMissingPath, httpOptionShape, makeHttpClient, mapInOrder } from "../options.js";
import type { Target, TargetResult } from "../types.js";

const { apiKeyEnv: _unused, ...httpShapeWithoutKey } = httpOptionShape;
export const httpTargetOptions = z.strictObject({ ...httpTemplateShape, ...httpShapeWithoutKey });

export async function createHttpTarget(
  opts: z.output<typeof httpTargetOptions>,
  ctx: ProviderContext,
): Promise<Target> {
  const tpl = await prepareHttpTemplate(opts, ctx, "http");
  const client = makeHttpClient(opts, ctx, { kind: "http", key: opts.url }, tpl.secrets);
  return {
    id: "http",
    close: async () => client.close(),
    respond: (prompts, callOpts) =>
      mapInOrder(prompts, async (prompt): Promise<TargetResult> => {
        const vars = { prompt };
        let req: ReturnType<typeof tpl.request>;
        try {
          req = tpl.request(vars);
        } catch (err) {
          return { text: "", error: client.redact((err as Error).message), latencyMs: 0 };
        }
        const r = await client.requestJson(req, callOpts?.signal);
        if (!r.ok) return { text: "", error: r.error, latencyMs: r.latencyMs };
        try {
          const out = await tpl.extract(r.json, vars);
          const text = typeof out === "string" ? out : (out as { text?: unknown } | null)?.text;
          if (typeof text !== "string") {
            const detail =
              out === undefined && !opts.transform
                ? describeMissingPath(r.json, opts.responsePath ?? "")
                : `${opts.responsePath === undefined ? "the transform" : `responsePath "${opts.responsePath}"`} gave ${JSON.stringify(out)?.slice(0, 120)}`;
            return {
              text: "",
              error: client.redact(`http: no string answer: ${detail}`),
              latencyMs: r.latencyMs,
            };
          }
          return { text: client.redact(text), latencyMs: r.latencyMs, cached: r.cached };
        } catch (err) {
          return {
            text: "",
            error: client.redact(`http: transform failed: ${(err as Error).message}`),
            latencyMs: r.latencyMs,
          };
        }
      }),
  };
}
