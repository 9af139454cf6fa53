// Where the red team's model and seed examples come from: curio.yaml's redteam.model and seedPrompts, or the
// sandbox world (`redteam.model: world:redteam`), which supplies its pretrained policy, seed questions and
// pretraining corpus.
import { type CurioConfig, readSeedExamples } from "../config/index.js";
import { seedPromptsSchema } from "../config/schema-redteam.js";
import { prepareWorld, WORLD_MODEL_PREFIX } from "../world/source.js";
import type { RedTeamSource } from "./types.js";

/**
 * The sandbox world's red team brings its own seed questions: examples the user set (a file, or a list other
 * than the schema's default) would go unused without a word.
 */
export function unusedExamplesNote(config: CurioConfig): string | null {
  if (!config.redteam.model.startsWith(WORLD_MODEL_PREFIX)) return null;
  const ex = config.redteam.seedPrompts.examples;
  const file = typeof ex === "string" ? ex : Array.isArray(ex) ? null : ex.path;
  if (file === null && JSON.stringify(ex) === JSON.stringify(seedPromptsSchema.parse({}).examples))
    return null;
  return (
    `note: redteam.seedPrompts.examples${file ? ` (${file})` : ""} is not used: the sandbox world's red team ` +
    `(${config.redteam.model}) brings its own seed questions`
  );
}

export async function redTeamSource(
  config: CurioConfig,
  opts: { threads?: number; log?: (line: string) => void } = {},
): Promise<RedTeamSource> {
  if (config.redteam.model.startsWith(WORLD_MODEL_PREFIX)) {
    const note = unusedExamplesNote(config);
    if (note) opts.log?.(note);
    return prepareWorld({ workspace: config.workspace, threads: opts.threads, log: opts.log });
  }
  return { model: config.redteam.model, examples: readSeedExamples(config.redteam.seedPrompts) };
}
