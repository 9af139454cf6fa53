// Builds the campaign's providers from the config: the provider registry's ids, plus the sandbox world's
// ids (world, world-lexicon, world-strict, world-gibberish), which need the run's seed.

import { type CurioConfig, providerSpecError, UnreachableError } from "../config/index.js";
import { makeRedactor } from "../providers/http/redact.js";
import type {
  Embedder,
  GibberishScorer,
  Judge,
  ProviderContext,
  ProviderSpec,
  Target,
} from "../providers/index.js";
import { createEmbedder, createGibberish, createJudge, createTarget } from "../providers/index.js";
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

/** Builds one provider; a refusal names the curio.yaml key it came from (exit code 2, or the error's own). */
async function at<T>(key: string, spec: ProviderSpec, make: () => Promise<T> | T): Promise<T> {
  try {
    return await make();
  } catch (e) {
    throw providerSpecError(key, spec, e);
  }
}

export async function createCampaignProviders(
  config: CurioConfig,
  opts: { seed: number; concurrency: number; ctx: Partial<ProviderContext> },
): Promise<CampaignProviders> {
  const { seed } = opts;
  // -j applies to every provider kind that has a concurrency option, under what a spec sets itself
  const ctx: Partial<ProviderContext> = {
    ...opts.ctx,
    defaults: { ...opts.ctx.defaults, concurrency: opts.concurrency },
    noCache: opts.ctx.noCache ?? !config.cache,
  };
  const judge = (key: string, spec: ProviderSpec) =>
    at(key, spec, () => {
      const { id, ...rest } = spec;
      if (id === "world-lexicon" || id === "world-strict") return createWorldJudge(id);
      if (isWorldProviderId(id)) throw new Error(`"${id}" is not a judge`);
      return createJudge({ id, ...rest }, ctx);
    });
  const target = await at("target", config.target, () => {
    const { id, ...rest } = config.target;
    if (id === "world") return createWorldTarget(seed, rest as Record<string, number>);
    return createTarget(config.target, ctx);
  });
  return {
    target,
    judge: await judge("judge", config.judge),
    evalJudge: config.evalJudge ? await judge("evalJudge", config.evalJudge) : null,
    embedder: await at("embedder", config.embedder, () => createEmbedder(config.embedder, ctx)),
    gibberish: config.gibberish
      ? await at("gibberish", config.gibberish, () =>
          config.gibberish!.id === "world-gibberish"
            ? createWorldGibberish()
            : createGibberish(config.gibberish!, ctx),
        )
      : null,
  };
}

export async function closeProviders(p: CampaignProviders): Promise<void> {
  await Promise.allSettled(
    [p.target, p.judge, p.evalJudge, p.embedder, p.gibberish].map((x) => x?.close?.()),
  );
}

/** Fails fast, naming the provider and its error, when the target or a judge cannot answer at all. */
export async function probeProviders(
  p: CampaignProviders,
  config: CurioConfig,
  secrets: readonly string[] = [],
): Promise<void> {
  const redact = makeRedactor(secrets); // a URL may carry a ${API_KEY}
  const [answer] = await p.target.respond(["Hello"]);
  if (answer?.error) {
    const where =
      (config.target as { baseUrl?: string; url?: string }).baseUrl ??
      (config.target as { url?: string }).url;
    throw new UnreachableError(
      redact(`target ${config.target.id}${where ? ` at ${where}` : ""} did not answer: ${answer.error}`),
      {
        hint: "check that the server is running and the URL, model and API key variable are right",
      },
    );
  }
  const [verdict] = await p.judge.score(["Hello"], [answer?.text ?? "Hello"]);
  if (verdict?.error) {
    throw new UnreachableError(redact(`judge ${config.judge.id} did not answer: ${verdict.error}`), {
      hint: "check the judge's URL/model settings",
    });
  }
}
