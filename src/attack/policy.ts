// The red-team language model, as the attackers use it: the models layer's family-agnostic `Policy` for the
// PPO trainer, the smaller `SamplingPolicy` for attackers that only sample. This file is the one place that
// names the concrete policy class.
import type { CurioConfig } from "../config/index.js";
import {
  DecoderPolicy,
  type GenerateOptions,
  type Generation,
  type Policy,
  type Trainable,
} from "../models/index.js";
import { ConfigError } from "../util/errors.js";
import type { AttackerContext } from "./types.js";

/** What a sampling-only attacker needs from a policy. */
export interface SamplingPolicy {
  readonly tokenizer: { readonly eosId: number; decode(ids: number[]): string };
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

export async function loadRedTeamPolicy(
  source: string,
  opts: { config: CurioConfig; valueHead: boolean; seed: number; threads?: number },
): Promise<Policy> {
  return DecoderPolicy.load(source, {
    trainable: trainableOf(opts.config.redteam.trainable),
    valueHead: opts.valueHead,
    seed: opts.seed,
    threads: opts.threads,
  });
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
