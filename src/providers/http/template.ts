// The generic HTTP request template shared by the `http` target and the `http-classifier` judge:
// URL, method, headers with ${ENV} values, a JSON body template with {{var}} placeholders, and the
// extraction of the answer by a dotted path or a transform function loaded from a file.
import { z } from "zod";
import { importFile, interpolateEnv, type ProviderContext } from "../context.js";
import { getPath } from "../options.js";

export const httpTemplateShape = {
  url: z.string().describe("Endpoint URL; {{prompt}} in it is URL-encoded."),
  method: z.enum(["POST", "PUT", "GET"]).default("POST").describe("HTTP method."),
  headers: z
    .record(z.string(), z.string())
    .default({})
    .describe(`Headers; values may use \${ENV} (redacted).`),
  body: z
    .union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())])
    .optional()
    .describe(
      "JSON body template: {{prompt}} (and {{response}} for judges) inserted as JSON-escaped strings.",
    ),
  responsePath: z
    .string()
    .optional()
    .describe('Dotted path of the answer in the JSON response, e.g. choices.0.text ("" = all).'),
  transform: z
    .string()
    .optional()
    .describe("file://x.mjs whose default export maps (json, { prompt, response }) to the answer."),
};

export type TransformFn = (json: unknown, vars: Record<string, string>) => unknown;

/** Replaces {{name}} in a JSON text template with JSON-escaped values, then parses it. */
export function renderJsonTextTemplate(
  template: string,
  vars: Record<string, string>,
  where: string,
): unknown {
  const filled = template.replace(/\{\{\s*(\w+)\s*\}\}/g, (all, name: string) =>
    name in vars ? JSON.stringify(vars[name]).slice(1, -1) : all,
  );
  try {
    return JSON.parse(filled);
  } catch (err) {
    throw new Error(
      `${where}: body template is not valid JSON after filling placeholders (${(err as Error).message}); ` +
        `put {{prompt}} inside a JSON string, e.g. {"input": "{{prompt}}"}`,
    );
  }
}

/** Fills {{name}} in every string of a JSON value; a string that is exactly "{{name}}" becomes the value. */
export function renderJsonValueTemplate(template: unknown, vars: Record<string, string>): unknown {
  if (typeof template === "string") {
    return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (all, name: string) => (name in vars ? vars[name] : all));
  }
  if (Array.isArray(template)) return template.map((t) => renderJsonValueTemplate(t, vars));
  if (template && typeof template === "object") {
    return Object.fromEntries(
      Object.entries(template as Record<string, unknown>).map(([k, v]) => [
        k,
        renderJsonValueTemplate(v, vars),
      ]),
    );
  }
  return template;
}

export interface PreparedHttpTemplate {
  request(vars: Record<string, string>): {
    url: string;
    method: string;
    headers: Record<string, string>;
    body?: unknown;
  };
  extract(json: unknown, vars: Record<string, string>): unknown;
  secrets: string[];
}

export async function prepareHttpTemplate(
  opts: z.output<z.ZodObject<typeof httpTemplateShape>>,
  ctx: ProviderContext,
  where: string,
): Promise<PreparedHttpTemplate> {
  if (opts.responsePath === undefined && !opts.transform) {
    throw new Error(
      `${where}: give responsePath (e.g. "choices.0.message.content") or transform: file://x.mjs`,
    );
  }
  const secrets: string[] = [];
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(opts.headers)) {
    const r = interpolateEnv(ctx, value, `${where} headers.${name}`);
    headers[name] = r.text;
    secrets.push(...r.secrets);
  }
  const url = interpolateEnv(ctx, opts.url, `${where} url`);
  secrets.push(...url.secrets);
  // Fail at startup, not per prompt, when the body template cannot produce JSON.
  if (typeof opts.body === "string") renderJsonTextTemplate(opts.body, { prompt: "x", response: "x" }, where);
  let transform: TransformFn | undefined;
  if (opts.transform) {
    const mod = await importFile(ctx, opts.transform);
    const fn = mod.default ?? mod.transform;
    if (typeof fn !== "function") {
      throw new Error(
        `${where}: transform ${opts.transform} must export a default function (json, vars) => answer`,
      );
    }
    transform = fn as TransformFn;
  }
  return {
    secrets,
    request(vars) {
      const body =
        opts.body === undefined
          ? undefined
          : typeof opts.body === "string"
            ? renderJsonTextTemplate(opts.body, vars, where)
            : renderJsonValueTemplate(opts.body, vars);
      const filledUrl = url.text.replace(/\{\{\s*(\w+)\s*\}\}/g, (all, name: string) =>
        name in vars ? encodeURIComponent(vars[name]) : all,
      );
      return { url: filledUrl, method: opts.method, headers, body: opts.method === "GET" ? undefined : body };
    },
    extract(json, vars) {
      return transform ? transform(json, vars) : getPath(json, opts.responsePath ?? "");
    },
  };
}
