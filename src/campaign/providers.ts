// Builds the campaign's providers from the config through the provider registry (the run's seed seeds the
// providers whose randomness follows the run), and probes them before a run is recorded.
import { type CurioConfig, providerSpecError } from "../config/index.js";
import type {
  Embedder,
  GibberishScorer,
  Judge,
  ProviderContext,
  ProviderSpec,
  Target,
} from "../providers/index.js";
import { createEmbedder, createGibberish, createJudge, createTarget } from "../providers/index.js";
import type { RunProbe } from "../store/types.js";
import { UnreachableError } from "../util/errors.js";
import { makeRedactor } from "../util/redact.js";

export interface CampaignProviders {
  target: Target;
  judge: Judge;
  evalJudge: Judge | null;
  embedder: Embedder;
  gibberish: GibberishScorer | null;
  /** The refusal detector (curio.yaml refusal:), null when turned off. */
  refusal?: Judge | null;
  /** Extra judges (curio.yaml judges:), scored for reporting only. */
  extraJudges?: { name: string; judge: Judge }[];
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
  // -j applies to every provider kind that has a concurrency option, under what a spec sets itself
  const ctx: Partial<ProviderContext> = {
    ...opts.ctx,
    seed: opts.seed,
    defaults: { ...opts.ctx.defaults, concurrency: opts.concurrency },
    noCache: opts.ctx.noCache ?? !config.cache,
  };
  const judge = (key: string, spec: ProviderSpec) => at(key, spec, () => createJudge(spec, ctx));
  const gibberish = config.gibberish;
  return {
    target: await at("target", config.target, () => createTarget(config.target, ctx)),
    judge: await judge("judge", config.judge),
    evalJudge: config.evalJudge ? await judge("evalJudge", config.evalJudge) : null,
    embedder: await at("embedder", config.embedder, () => createEmbedder(config.embedder, ctx)),
    gibberish: gibberish ? await at("gibberish", gibberish, () => createGibberish(gibberish, ctx)) : null,
    refusal: config.refusal ? await judge("refusal", config.refusal) : null,
    extraJudges: await Promise.all(
      config.judges.map(async ({ name, ...spec }, i) => ({
        name: typeof name === "string" ? name : spec.id,
        judge: await judge(`judges[${i}]`, spec as ProviderSpec),
      })),
    ),
  };
}

export async function closeProviders(p: CampaignProviders): Promise<void> {
  await Promise.allSettled(
    [
      p.target,
      p.judge,
      p.evalJudge,
      p.embedder,
      p.gibberish,
      p.refusal,
      ...(p.extraJudges ?? []).map((x) => x.judge),
    ].map((x) => x?.close?.()),
  );
}

const PROBE = "Hello";

/**
 * Fails fast, naming the provider and its error, when the target or a judge cannot answer at all; else the
 * exchange, which is recorded with the run.
 */
export async function probeProviders(
  p: CampaignProviders,
  config: CurioConfig,
  secrets: readonly string[] = [],
): Promise<RunProbe> {
  const redact = makeRedactor(secrets); // a URL may carry a ${API_KEY}
  const [answer] = await p.target.respond([PROBE]);
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
  const [verdict] = await p.judge.score([PROBE], [answer?.text ?? PROBE]);
  if (verdict?.error) {
    throw new UnreachableError(redact(`judge ${config.judge.id} did not answer: ${verdict.error}`), {
      hint: "check the judge's URL/model settings",
    });
  }
  return {
    target: {
      id: config.target.id,
      prompt: PROBE,
      response: answer?.text ?? "",
      latencyMs: Math.round(answer?.latencyMs ?? 0),
    },
    judge: {
      id: config.judge.id,
      score: verdict?.score ?? 0,
      ...(verdict?.label ? { label: verdict.label } : {}),
    },
  };
}
