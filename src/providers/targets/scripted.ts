// Scripted target for tests and demos: the first rule whose regex matches the prompt picks a response at
// random (weights `p`, default equal) from a seeded stream; no rule matching gives `default`. Responses may
// use {{prompt}} and $1..$9 (the rule's capture groups). One random stream per target instance, consumed in
// prompt order: the same seed and the same sequence of calls give the same answers.
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { Rng } from "../../util/rng.js";
import { type ProviderContext, resolvePath } from "../context.js";
import type { Target } from "../types.js";

const responseSchema = z.union([
  z.string(),
  z.strictObject({ text: z.string(), p: z.number().nonnegative() }),
]);
const responsesSchema = z.union([z.string(), z.array(responseSchema).min(1)]);
const ruleSchema = z.strictObject({
  match: z.string().describe("Regular expression tested against the prompt."),
  flags: z.string().default("i"),
  responses: responsesSchema,
});
const scriptSchema = {
  rules: z
    .array(ruleSchema)
    .default([])
    .describe("[{ match: regex, flags?, responses: [text | {text, p}] }]"),
  default: responsesSchema.default("").describe("Response(s) when no rule matches."),
};

export const scriptedOptions = z.strictObject({
  ...scriptSchema,
  file: z.string().optional().describe("YAML/JSON file with { rules, default } (merged after inline rules)."),
  seed: z.number().int().default(0).describe("Seed of the response sampler."),
});

type Responses = z.output<typeof responsesSchema>;

function pick(responses: Responses, random: () => number): string {
  if (typeof responses === "string") return responses;
  const items = responses.map((r) => (typeof r === "string" ? { text: r, p: 1 } : r));
  const total = items.reduce((a, r) => a + r.p, 0);
  let u = random() * total;
  for (const r of items) {
    u -= r.p;
    if (u < 0) return r.text;
  }
  return items[items.length - 1].text;
}

export function createScriptedTarget(opts: z.output<typeof scriptedOptions>, ctx: ProviderContext): Target {
  let rules = opts.rules;
  let fallback = opts.default;
  if (opts.file) {
    const path = resolvePath(ctx, opts.file);
    const parsed = z.strictObject(scriptSchema).safeParse(parseYaml(readFileSync(path, "utf8")));
    if (!parsed.success)
      throw new Error(
        `scripted file ${path}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      );
    rules = [...rules, ...parsed.data.rules];
    if (opts.default === "") fallback = parsed.data.default;
  }
  const compiled = rules.map((r, i) => {
    try {
      return { re: new RegExp(r.match, r.flags.replace(/[gy]/g, "")), responses: r.responses };
    } catch (err) {
      throw new Error(
        `scripted: rules[${i}].match ${JSON.stringify(r.match)} is not a valid regex: ${(err as Error).message}`,
      );
    }
  });
  // One stream per target, consumed in prompt order; its state is checkpointed with a run so a resumed
  // campaign gets the same answers.
  const rng = new Rng(opts.seed);
  const random = () => rng.next();
  return {
    id: "scripted",
    state: () => rng.state(),
    loadState: (s: unknown) => rng.loadState(Number(s)),
    async respond(prompts) {
      return prompts.map((prompt) => {
        for (const rule of compiled) {
          const m = rule.re.exec(prompt);
          if (!m) continue;
          // captures first, so a "$1" inside the prompt itself stays literal
          const text = pick(rule.responses, random)
            .replace(/\$(\d)/g, (_all, d: string) => m[Number(d)] ?? "")
            .replace(/\{\{prompt\}\}/g, () => prompt);
          return { text, latencyMs: 0 };
        }
        return { text: pick(fallback, random).replace(/\{\{prompt\}\}/g, () => prompt), latencyMs: 0 };
      });
    },
  };
}
