// Builds the campaign's providers from the config: the provider registry's ids, plus the sandbox world's
// ids (world, world-lexicon, world-strict, world-gibberish), which need the run's seed.

import type { CurioConfig } from "../config/index.js";
import type {
  Embedder,
  GibberishScorer,
  Judge,
  ProviderContext,
  ProviderSpec,
  Target,
} from "../providers/index.js";
import {
  createEmbedder,
  createGibberish,
  createJudge,
  createTarget,
  parseProviderId,
  providerKinds,
} from "../providers/index.js";
import {
  createWorldGibberish,
  createWorldJudge,
  createWorldTarget,
  isWorldProviderId,
} from "../world/index.js";

export interface CampaignProviders {
  target: Target;
  judge: Judge;
  evalJudge: Judge | null;
  embedder: Embedder;
  gibberish: GibberishScorer | null;
}

/** Applies the campaign-wide concurrency (-j) to providers whose options take one and do not set it. */
function withConcurrency(spec: ProviderSpec, concurrency: number): ProviderSpec {
  if ("concurrency" in spec) return spec;
  const kind = parseProviderId(spec.id)?.kind;
  const shape = kind
    ? (providerKinds[kind].options as unknown as { shape?: Record<string, unknown> }).shape
    : undefined;
  return shape && "concurrency" in shape ? { ...spec, concurrency } : spec;
}

/** Prefixes a provider error with the config key it came from, so the user knows what to edit. */
async function at<T>(key: string, make: () => Promise<T> | T): Promise<T> {
  try {
    return await make();
  } catch (e) {
    throw new Error(`${key}: ${(e as Error).message}`, { cause: e });
  }
}

export async function createCampaignProviders(
  config: CurioConfig,
  opts: { seed: number; concurrency: number; ctx: Partial<ProviderContext> },
): Promise<CampaignProviders> {
  const { seed, concurrency, ctx } = opts;
  const judge = (key: string, spec: ProviderSpec) =>
    at(key, () => {
      const { id, ...rest } = spec;
      if (id === "world-lexicon" || id === "world-strict") return createWorldJudge(id);
      if (isWorldProviderId(id)) throw new Error(`"${id}" is not a judge`);
      return createJudge(withConcurrency({ id, ...rest }, concurrency), ctx);
    });
  const target = await at("target", () => {
    const { id, ...rest } = config.target;
    if (id === "world") return createWorldTarget(seed, rest as Record<string, number>);
    return createTarget(withConcurrency(config.target, concurrency), ctx);
  });
  return {
    target,
    judge: await judge("judge", config.judge),
    evalJudge: config.evalJudge ? await judge("evalJudge", config.evalJudge) : null,
    embedder: await at("embedder", () => createEmbedder(withConcurrency(config.embedder, concurrency), ctx)),
    gibberish: config.gibberish
      ? await at("gibberish", () =>
          config.gibberish!.id === "world-gibberish"
            ? createWorldGibberish()
            : createGibberish(withConcurrency(config.gibberish!, concurrency), ctx),
        )
      : null,
  };
}

export async function closeProviders(p: CampaignProviders): Promise<void> {
  await Promise.allSettled(
    [p.target, p.judge, p.evalJudge, p.embedder, p.gibberish].map((x) => x?.close?.()),
  );
}
