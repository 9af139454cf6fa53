// The red-team language model, as the attackers use it: the models layer's family-agnostic `Policy` for the
// PPO trainer, the smaller `SamplingPolicy` for attackers that only sample. This file is the one place that
// names the concrete policy class.
import type { CurioConfig } from "../config/index.js";
import { compileCacheDir, type SessionOptions } from "../engine/index.js";
import {
  DecoderPolicy,
  type GenerateOptions,
  type Generation,
  type Policy,
  type TextTokenizer,
  type Trainable,
} from "../models/index.js";
import { ConfigError, CurioError, UnreachableError } from "../util/errors.js";
import type { AttackerContext } from "./types.js";

/** What a sampling-only attacker needs from a policy. */
export interface SamplingPolicy {
  readonly tokenizer: TextTokenizer;
  generate(prompts: (string | number[])[], opts: GenerateOptions): Promise<Generation[]>;
  release(): Promise<void>;
}

/** redteam.trainable as the policy loader takes it. */
export function trainableOf(c: CurioConfig["redteam"]["trainable"]): Trainable {
  if (c.type === "lora" && c.dropout !== 0) {
    throw new ConfigError(
      `redteam.trainable.dropout: LoRA dropout ${c.dropout} is not supported; use 0 (the paper's value)`,
    );
  }
  if (c.type === "lora") return { kind: "lora", r: c.r, alpha: c.alpha, targets: c.targets };
  if (c.type === "top") return { kind: "top", k: c.k };
  return { kind: "full" };
}

/**
 * A model that does not load is the user's setting (a missing folder, a bad file), exit code 2; a hub
 * download that failed is a network problem, exit code 3. Both name the key.
 */
function modelError(e: unknown): Error {
  if (e instanceof CurioError) return e;
  const message = `redteam.model: ${(e as Error)?.message ?? String(e)}`;
  return /\bdownload of\b/.test(message)
    ? new UnreachableError(message, { cause: e })
    : new ConfigError(message, { cause: e });
}

/** How a campaign's in-process models run: the run's device (checked before the run) and the workspace's
 *  compiled-model cache. The red team's model, naturalness's reference and the local target and judges share it. */
export function campaignSessionOptions(config: CurioConfig): Pick<SessionOptions, "device" | "cacheDir"> {
  return { device: config.device ?? "cpu", cacheDir: compileCacheDir(config.workspace) };
}

export async function loadRedTeamPolicy(
  source: string,
  opts: { config: CurioConfig; valueHead: boolean; seed: number; threads?: number },
): Promise<Policy> {
  const trainable = trainableOf(opts.config.redteam.trainable);
  let policy: Policy;
  try {
    policy = await DecoderPolicy.load(source, {
      trainable,
      valueHead: opts.valueHead,
      seed: opts.seed,
      threads: opts.threads,
      session: campaignSessionOptions(opts.config),
    });
  } catch (e) {
    throw modelError(e);
  }
  // refused here, before a run is recorded, rather than at the first generation
  const maxNew = opts.config.redteam.generation.maxNewTokens;
  const positions = policy.config.maxPositions;
  if (maxNew >= positions) {
    await policy.release();
    throw new ConfigError(
      `redteam.generation.maxNewTokens: ${maxNew} new tokens do not fit the red-team model's ${positions} positions ` +
        "(the seed instruction takes some of them)",
      { hint: `lower maxNewTokens (the paper uses 20 for instructions, 30 for continuations)` },
    );
  }
  return policy;
}

/** The red team's model of a method's context (its source, trainable setting, seed and threads). */
export function loadContextPolicy(
  ctx: Pick<AttackerContext, "source" | "config" | "seed" | "threads" | "log">,
  valueHead: boolean,
): Promise<Policy> {
  ctx.log(`loading red-team model ${ctx.source.model}`);
  return loadRedTeamPolicy(ctx.source.model, {
    config: ctx.config,
    valueHead,
    seed: ctx.seed,
    threads: ctx.threads,
  });
}
