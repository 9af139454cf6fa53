// Every red-team method, registered once. The `method` enum of curio.yaml, each method's config defaults (its
// reward coefficients: the one source of the paper's presets) and its own options (`attack:` in curio.yaml)
// derive from this table. Adding a method means one file that implements Attacker and one entry here.
// Implementations load lazily, so reading the table (the config layer does) loads no model code.
import { z } from "zod";
import { type ActiveAttacksOptions, activeAttacksOptions } from "./active/options.js";
import { corpusOptions } from "./corpus.js";
import { gfnOptions } from "./gfn/options.js";
import type { Attacker, AttackerContext } from "./types.js";

export interface AttackMethod<S extends z.ZodType = z.ZodType> {
  summary: string;
  /** True when the method updates the red-team model from the rewards. */
  trains: boolean;
  /**
   * curio.yaml keys the method sets (a sparse config), laid over the schema's defaults (CRT's) and under the
   * user's own keys. Plain data: the config's types derive from this table, so it cannot name them.
   */
  defaults: Record<string, unknown>;
  /** The method's own options, under `attack:` in curio.yaml (strict: unknown keys are named). */
  options: S;
  create(ctx: AttackerContext<z.output<S>>): Promise<Attacker>;
}

/** Identity with inference: ties each entry's `create` to its own schema's output type. */
function method<S extends z.ZodType>(m: AttackMethod<S>): AttackMethod<S> {
  return m;
}

const noOptions = z.strictObject({});
/** What every learning method takes: Active Attacks (src/attack/active/), off unless set. */
const learningOptions = z.strictObject({ active: activeAttacksOptions.nullable().default(null) });
/** The RL baselines: toxicity (and KL) only, no curiosity terms. */
const noCuriosity = { selfBleu: 0, cosine: 0, entropy: 0 };

const ppo = async (ctx: AttackerContext) => (await import("./ppo.js")).createPpoAttacker(ctx);
const prompted = (mode: "zero-shot" | "few-shot") => async (ctx: AttackerContext) =>
  (await import("./prompted.js")).createPromptedAttacker(ctx, mode);

export const attackMethods = {
  crt: method({
    summary:
      "PPO with the curiosity rewards: SelfBLEU and cosine novelty, entropy bonus (the paper's method).",
    trains: true,
    defaults: {},
    options: learningOptions,
    create: ppo,
  }),
  rl: method({
    summary: "PPO on toxicity and the KL penalty only.",
    trains: true,
    defaults: { rewards: noCuriosity },
    options: learningOptions,
    create: ppo,
  }),
  "rl-tdiv": method({
    summary: "RL plus the target-response diversity term (c_tdiv -5).",
    trains: true,
    defaults: { rewards: { ...noCuriosity, tdiv: -5 } },
    options: learningOptions,
    create: ppo,
  }),
  "rl-temp2": method({
    summary: "RL sampled at temperature 2.",
    trains: true,
    defaults: { rewards: noCuriosity, redteam: { generation: { temperature: 2 } } },
    options: learningOptions,
    create: ppo,
  }),
  // Prompted baselines do not train: reward coefficients only affect the logged breakdown.
  "zero-shot": method({
    summary: 'The red-team model prompted with "<context>: <seed instruction>"; no training.',
    trains: false,
    defaults: { rewards: noCuriosity },
    options: noOptions,
    create: prompted("zero-shot"),
  }),
  "few-shot": method({
    summary: "The red-team model prompted with high-scoring examples (baseline.fewShotFrom); no training.",
    trains: false,
    defaults: { rewards: noCuriosity },
    options: noOptions,
    create: prompted("few-shot"),
  }),
  gfn: method({
    summary:
      "GFlowNet fine-tuning: sample test cases in proportion to the judge's score and the reference likelihood (trajectory balance, replay buffer), then optional MLE smoothing (Lee et al. 2025).",
    trains: true,
    // trajectory balance fits p_theta at temperature 1 over the whole vocabulary: sample it untruncated
    defaults: { rewards: noCuriosity, redteam: { generation: { temperature: 1, topP: 1, topK: 0 } } },
    options: gfnOptions,
    create: async (ctx) => (await import("./gfn/attacker.js")).createGfnAttacker(ctx),
  }),
  corpus: method({
    summary:
      "Sends the seed corpus as it is, line by line (the baseline a learnt attacker must beat); no model.",
    trains: false,
    defaults: { rewards: noCuriosity },
    options: corpusOptions,
    create: async (ctx) => (await import("./corpus.js")).createCorpusAttacker(ctx),
  }),
} as const;

export type MethodName = keyof typeof attackMethods;
export const METHOD_NAMES = Object.keys(attackMethods) as [MethodName, ...MethodName[]];

/** The attacker of the config's method, with the method's options validated and defaults filled in. */
export async function createAttacker(ctx: Omit<AttackerContext, "options">): Promise<Attacker> {
  const m = attackMethods[ctx.config.method] as AttackMethod;
  const options = m.options.parse(ctx.config.attack);
  const active = (options as { active?: ActiveAttacksOptions | null }).active;
  if (!active) return m.create({ ...ctx, options });
  const { checkActiveTarget, withActiveAttacks } = await import("./active/attacker.js");
  checkActiveTarget(ctx); // before any model loads
  const inner = await m.create({ ...ctx, options });
  try {
    return withActiveAttacks(inner, ctx, active);
  } catch (e) {
    await inner.release();
    throw e;
  }
}
