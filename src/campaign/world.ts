// The sandbox world behind the "demo" preset: `redteam.model: world:redteam` uses the world's pretrained
// red-team policy and its harmless seed questions. The world is built once and cached in the workspace
// (or CURIO_CACHE_DIR).
import { join } from "node:path";
import type { CurioConfig } from "../config/index.js";
import { buildWorld } from "../world/index.js";

export const WORLD_MODEL_PREFIX = "world:";
/** The world every demo and benchmark run shares; run seeds vary the training, not the world. */
export const WORLD_SEED = 1;

export function worldCacheDir(
  workspace: string,
  env: Record<string, string | undefined> = process.env,
): string {
  return env.CURIO_CACHE_DIR ? join(env.CURIO_CACHE_DIR, "worlds") : join(workspace, "worlds");
}

export async function prepareWorld(
  config: CurioConfig,
  opts: { workspace: string; threads?: number; log?: (line: string) => void },
): Promise<{ policy: string; examples: string[] } | null> {
  if (!config.redteam.model.startsWith(WORLD_MODEL_PREFIX)) return null;
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
  return { policy: world.paths.policy, examples: world.examples };
}
