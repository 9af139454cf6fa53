// createTarget / createJudge / createEmbedder / createGibberish: parse the id, check the role, validate the
// options with the kind's zod schema (errors name the bad key and the fix), and build the provider.
// `file://path.mjs` ids load a custom provider module instead.
import type { z } from "zod";
import { defaultContext, importFile, type ProviderContext } from "./context.js";
import {
  type CreateContext,
  kindsOfRole,
  PROVIDER_KIND_NAMES,
  type ProviderKindName,
  providerKinds,
  type Role,
  type RoleTypes,
} from "./registry.js";
import type { ProviderSpec } from "./types.js";

const METHOD: Record<Role, string> = {
  target: "respond",
  judge: "score",
  embedder: "embed",
  gibberish: "gibberish",
};

/** Splits an id into its registered kind and the model part: "openai:chat:gpt-4o" -> openai:chat + gpt-4o. */
export function parseProviderId(id: string): { kind: ProviderKindName; model: string } | undefined {
  const byLength = [...PROVIDER_KIND_NAMES].sort((a, b) => b.length - a.length);
  for (const k of byLength) {
    if (id === k) return { kind: k, model: "" };
    if (id.startsWith(`${k}:`)) return { kind: k, model: id.slice(k.length + 1) };
  }
  return undefined;
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

function suggest(key: string, known: string[]): string {
  const best = known
    .map((k) => ({ k, d: k.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, k) }))
    .sort((x, y) => x.d - y.d)[0];
  return best && best.d <= 2 ? ` (did you mean "${best.k}"?)` : "";
}

/** One line per zod issue, naming the option and how to fix it. */
export function formatOptionErrors(id: string, schema: z.ZodType, error: z.ZodError): string {
  const known = Object.keys((schema as unknown as { shape?: Record<string, unknown> }).shape ?? {});
  const lines = error.issues.map((issue) => {
    const path = issue.path.join(".");
    if (issue.code === "unrecognized_keys") {
      return issue.keys
        .map((k) => `option "${path ? `${path}.` : ""}${k}" is not known${suggest(k, known)}`)
        .join("\n  ");
    }
    return `option "${path || "(root)"}": ${issue.message}`;
  });
  return `${id}: invalid options\n  ${lines.join("\n  ")}\n  known options: ${known.join(", ")}`;
}

async function loadCustom<R extends Role>(
  role: R,
  spec: ProviderSpec,
  ctx: ProviderContext,
): Promise<RoleTypes[R]> {
  const { id, ...options } = spec;
  const mod = await importFile(ctx, id);
  const exported = mod.default ?? mod.provider;
  let provider: unknown = exported;
  if (typeof exported === "function") {
    const isClass = /^class[\s{]/.test(Function.prototype.toString.call(exported));
    provider = isClass
      ? new (exported as new (o: unknown, c: ProviderContext) => unknown)(options, ctx)
      : await (exported as (o: unknown, c: ProviderContext) => unknown)(options, ctx);
  }
  const method = METHOD[role];
  if (!provider || typeof (provider as Record<string, unknown>)[method] !== "function") {
    throw new Error(
      `${id}: a custom ${role} module must default-export an object with a ${method}() method, ` +
        `or a class/function (options, context) returning one`,
    );
  }
  if (role === "embedder" && typeof (provider as { dim?: unknown }).dim !== "number") {
    throw new Error(`${id}: a custom embedder needs a numeric dim property (the embedding size)`);
  }
  const p = provider as RoleTypes[R] & { id?: string };
  if (typeof p.id !== "string") Object.defineProperty(p, "id", { value: id });
  return p;
}

async function create<R extends Role>(
  role: R,
  specOrId: ProviderSpec | string,
  partial: Partial<ProviderContext>,
): Promise<RoleTypes[R]> {
  const spec: ProviderSpec = typeof specOrId === "string" ? { id: specOrId } : specOrId;
  if (typeof spec?.id !== "string" || spec.id === "") {
    throw new Error(
      `a ${role} needs an id, e.g. { id: "${kindsOfRole(role)[0]}" }; known: ${kindsOfRole(role).join(", ")}`,
    );
  }
  const ctx = defaultContext(partial);
  if (spec.id.startsWith("file://")) return loadCustom(role, spec, ctx);
  const parsed = parseProviderId(spec.id);
  const known = kindsOfRole(role)
    .map((k) => (providerKinds[k].model === "none" ? k : `${k}:${providerKinds[k].modelHint ?? "<model>"}`))
    .join(", ");
  if (!parsed)
    throw new Error(`unknown ${role} id "${spec.id}"; known ${role}s: ${known}, or file://custom.mjs`);
  const kind = providerKinds[parsed.kind] as unknown as {
    role: Role;
    model: "required" | "optional" | "none";
    defaultModel?: string;
    modelHint?: string;
    options: z.ZodType;
    create(model: string, o: unknown, c: CreateContext): Promise<RoleTypes[R]> | RoleTypes[R];
  };
  if (kind.role !== role) {
    const a = (r: string) => (/^[aeiou]/.test(r) ? `an ${r}` : `a ${r}`);
    throw new Error(`"${spec.id}" is ${a(kind.role)}, not ${a(role)}; known ${role}s: ${known}`);
  }
  let model = parsed.model;
  if (kind.model === "required" && model === "") {
    throw new Error(`"${spec.id}" needs a model: write ${parsed.kind}:${kind.modelHint ?? "<model>"}`);
  }
  if (kind.model === "none" && model !== "") {
    throw new Error(
      `"${spec.id}": ${parsed.kind} takes no model in its id; write "${parsed.kind}" and use options`,
    );
  }
  if (model === "") model = kind.defaultModel ?? "";
  const { id: _id, ...own } = spec;
  const optionNames = new Set(Object.keys((kind.options as unknown as { shape?: object }).shape ?? {}));
  const fromCli = Object.fromEntries(Object.entries(ctx.defaults ?? {}).filter(([k]) => optionNames.has(k)));
  const raw: Record<string, unknown> = { ...fromCli, ...own };
  if (ctx.noCache && optionNames.has("cache")) raw.cache = false;
  const result = kind.options.safeParse(raw);
  if (!result.success) throw new Error(formatOptionErrors(spec.id, kind.options, result.error));
  const createCtx: CreateContext = { ...ctx, createJudge: (s) => create("judge", s, ctx) };
  return kind.create(model, result.data, createCtx);
}

export const createTarget = (spec: ProviderSpec | string, ctx: Partial<ProviderContext> = {}) =>
  create("target", spec, ctx);
export const createJudge = (spec: ProviderSpec | string, ctx: Partial<ProviderContext> = {}) =>
  create("judge", spec, ctx);
export const createEmbedder = (spec: ProviderSpec | string, ctx: Partial<ProviderContext> = {}) =>
  create("embedder", spec, ctx);
export const createGibberish = (spec: ProviderSpec | string, ctx: Partial<ProviderContext> = {}) =>
  create("gibberish", spec, ctx);
