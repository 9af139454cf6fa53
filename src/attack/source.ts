// Where the red team's model and seed examples come from: curio.yaml's redteam.model and seedPrompts, or the
// sandbox world (`redteam.model: world:redteam`), which supplies its pretrained policy, seed questions and
// pretraining corpus.
import { type CurioConfig, readSeedExamples } from "../config/index.js";
import { prepareWorld, WORLD_MODEL_PREFIX } from "../world/source.js";
import type { RedTeamSource } from "./types.js";

export async function redTeamSource(
  config: CurioConfig,
  opts: { threads?: number; log?: (line: string) => void } = {},
): Promise<RedTeamSource> {
  if (config.redteam.model.startsWith(WORLD_MODEL_PREFIX)) {
    return prepareWorld({ workspace: config.workspace, threads: opts.threads, log: opts.log });
  }
  return { model: config.redteam.model, examples: readSeedExamples(config.redteam.seedPrompts) };
}
