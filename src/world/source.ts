// The sandbox world as a red-team source: `redteam.model: world:redteam` (the "demo" preset) uses the world's
// pretrained red-team policy, its harmless seed questions and, for the `corpus` method, the questions the
// policy was pretrained on. The world is built once and cached in the workspace (or CURIO_CACHE_DIR).
import { join } from "node:path";
import { buildWorld, pretrainQuestions } from "./build.js";

export const WORLD_MODEL_PREFIX = "world:";
/** The world every demo and benchmark run shares; run seeds vary the training, not the world. */
export const WORLD_SEED = 1;

export function worldCacheDir(
  workspace: string,
  env: Record<string, string | undefined> = process.env,
): string {
  return env.CURIO_CACHE_DIR ? join(env.CURIO_CACHE_DIR, "worlds") : join(workspace, "worlds");
}

export async function prepareWorld(opts: {
  workspace: string;
  threads?: number;
  log?: (line: string) => void;
}): Promise<{ model: string; examples: string[]; corpus: string[] }> {
  const world = await buildWorld({
    seed: WORLD_SEED,
    cacheDir: worldCacheDir(opts.workspace),
    threads: opts.threads,
    log: opts.log,
  });
  opts.log?.(
    world.cached
      ? `sandbox world loaded from ${world.paths.dir}`
      : `sandbox world built in ${world.manifest.pretrainSeconds.toFixed(1)} s (pretraining loss ${world.manifest.finalLoss.toFixed(3)})`,
  );
  const corpus = pretrainQuestions(world.seed, world.manifest.pretrain).map((p) => p.text);
  return { model: world.paths.policy, examples: world.examples, corpus };
}
